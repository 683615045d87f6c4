"""The Neo4j store: the graph model (schema.py), loading a dataset atomically and idempotently
(load.py), reading it back (read.py), findings written back (findings.py) and connections
(connect.py). The audit queries' Cypher runs through queries/neo4j.py. See docs/neo4j.md."""
from .connect import StoreUnavailable, connect, settings
from .findings import read_findings, write_findings
from .load import LoadResult, delete_dataset, load_dataset_to_neo4j
from .read import DatasetNotFound, list_datasets, read_dataset, resolve_name

__all__ = ["DatasetNotFound", "LoadResult", "StoreUnavailable", "connect", "delete_dataset", "list_datasets",
           "load_dataset_to_neo4j", "read_dataset", "read_findings", "resolve_name",
           "settings", "write_findings"]
