"""Audit queries (RULES.md § Audit queries): Cypher files for Neo4j, the same answers on the embedded engine."""
from .catalog import QUERIES, Query, QueryError, run_embedded

__all__ = ["QUERIES", "Query", "QueryError", "run_embedded"]
