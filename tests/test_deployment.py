"""docker-compose.yml: the deployment path (Neo4j 5.26 with auth, a volume, a healthcheck; the dashboard
behind it). `docker compose config -q` runs too where the compose plugin is installed."""
from __future__ import annotations

import shutil
import subprocess

import pytest
import yaml

from support import REPO

COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))


def test_neo4j_service():
    neo4j = COMPOSE["services"]["neo4j"]
    assert neo4j["image"] == "neo4j:5.26-community"
    assert neo4j["environment"]["NEO4J_AUTH"].startswith("neo4j/${NEO4J_PASSWORD:?")  # auth always, from .env
    assert "neo4j-data:/data" in neo4j["volumes"] and "neo4j-data" in COMPOSE["volumes"]
    assert "cypher-shell" in " ".join(neo4j["healthcheck"]["test"])
    assert all(p.startswith("127.0.0.1:") for p in neo4j["ports"])


def test_dashboard_service():
    dash = COMPOSE["services"]["dashboard"]
    assert dash["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert dash["environment"]["NEO4J_URI"] == "bolt://neo4j:7687"
    assert "ITAKU_DASHBOARD_PASSWORD" in dash["environment"]
    assert "itaku.wsgi:server" in (REPO / "Dockerfile").read_text(encoding="utf-8")


def test_secrets_stay_out_of_git():
    ignored = (REPO / ".gitignore").read_text(encoding="utf-8").split()
    assert ".env" in ignored and (REPO / ".env.example").exists()


def _compose_available() -> bool:
    docker = shutil.which("docker")
    return bool(docker) and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0


@pytest.mark.skipif(not _compose_available(), reason="the docker compose plugin is not installed here")
def test_compose_config_is_valid(tmp_path):
    env = tmp_path / ".env"
    env.write_text("NEO4J_PASSWORD=x12345678\nITAKU_DASHBOARD_USER=a\nITAKU_DASHBOARD_PASSWORD=b\n")
    out = subprocess.run(["docker", "compose", "--env-file", str(env), "-f", str(REPO / "docker-compose.yml"),
                          "config", "-q"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
