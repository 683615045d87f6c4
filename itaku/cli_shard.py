"""`itaku check --neo4j URI --shard I/N [--jobs J]`: check the dataset in Neo4j one principal at a time.

`--shard I/N` checks only the principals of shard I of N (graph/store/shard.py: crc32 of the
principal's org_id, mod N, plus 1) and prints that shard's report: its findings, and in the
summary the contracts of its chains. `--jobs J` checks the principals (of the shard, or of the
whole dataset) in J local worker processes (concurrent.futures), one principal per task, and
merges their reports into exactly the output of one unsharded run. The rest of `itaku check`
(--principal, --policy, --ignore-file, filters, --format, --fail-on) runs unchanged: this module
only substitutes its `read`, `check_principals` and `run_check` steps.
"""
from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any, Callable, Optional

from pydantic import PrivateAttr

from graph.rules import PolicyError, Report
from loaders.messages import msg
from loaders.model import Dataset

from . import cli
from .cli import EXIT_UNREACHABLE, fail
from .shard_jobs import Job, check_report


def shard_arg(value: Optional[str], lang: Any) -> tuple[int, int] | None:
    """--shard I/N → (I, N); a bad value: one line, exit 2."""
    if value is None:
        return None
    from graph.store.shard import parse_shard  # here: a check without --shard never imports the driver

    shard = parse_shard(value)
    if shard is None:
        fail(f"itaku check: --shard: {msg('bad_shard', value=value).text(getattr(lang, 'value', lang))}")
    return shard


class Outline(Dataset):
    """What `itaku check` looks at besides the chains, without reading them: the organizations
    --principal names and, on demand (an --ignore-file's contract ids), every contract id."""

    _contract_ids: Callable[[], list[str]] = PrivateAttr()

    @cached_property
    def contract(self) -> dict[str, None]:  # type: ignore[override]
        return dict.fromkeys(self._contract_ids())


def check_sharded(driver, database: Optional[str], uri: str, name: str, shard: tuple[int, int] | None, jobs: int,
                  run: Callable[..., Any], emit_for: Callable[[Optional[list[str]]], Callable[..., None]],
                  kwargs: dict[str, Any]) -> None:
    """Run `itaku check` (`run`) on the principals of `shard` (None: all of them); `emit_for(the
    shard's principals, or None for all)` gives its `emit` step."""
    from graph.store.read import DatasetNotFound, resolve_name
    from graph.store.shard import DatasetChanged, read_primes

    from .cli_store import _substituted

    primes = read_primes(driver, name, database)
    if primes is None:
        resolve_name(driver, name, database)
        raise DatasetNotFound(f"no dataset {name!r} in Neo4j")
    principals = primes.shard(*shard) if shard else list(primes.by_principal)
    outline = Outline.model_construct(name=name, organizations=tuple(_orgs(driver, database, name, primes.tag,
                                                                           kwargs.get("principal") or [])))
    outline._contract_ids = lambda: _contract_ids(driver, database, name, primes.tag)

    def run_check(ds, day, packs, policy, rules) -> Report:
        cli.check_policies(ds, packs, policy, named=set(primes.policies))
        job = Job(uri, database, name, primes, day, tuple(kwargs.get("policy_file") or ()),
                  tuple(rules) if rules else None, tuple(policy))
        try:
            return check_report(driver, job, principals, jobs)
        except PolicyError as exc:
            fail(str(exc))
        except DatasetChanged as exc:
            fail(f"itaku: {exc}", EXIT_UNREACHABLE)

    check_principals = cli.check_principals
    with _substituted(read=lambda path, packs, pseudonymize=False, lang=None, lazy=False: outline, run_check=run_check,
                      emit=emit_for(principals if shard else None),
                      check_principals=lambda ds, wanted: check_principals(ds, wanted, list(primes.by_principal))):
        run(**{**kwargs, "dataset": Path(name)})


def _orgs(driver, database, name: str, tag: int, ids: list[str]) -> list:
    from graph.store import schema
    from graph.store.read import read_session
    from graph.store.shard import _rows

    if not ids:
        return []
    with read_session(driver, database) as session:
        rows = session.execute_read(lambda tx: _rows(tx, schema.read_by_key(schema.ORGANIZATION), schema.ORGANIZATION,
                                                     keys=sorted(set(ids)), dataset=name, update_tag=tag))
    return [r for _, r in rows]


def _contract_ids(driver, database, name: str, tag: int) -> list[str]:
    from graph.store import schema

    records, _, _ = driver.execute_query(schema.read_keys(schema.CONTRACT), dataset=name, update_tag=tag,
                                         database_=database, routing_="r")
    return [r["key"] for r in records]
