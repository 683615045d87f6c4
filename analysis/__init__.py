"""The analysis of one dataset at one date under one policy, below every front end (CLI,
dashboard, reports): where the data comes from (sources.py) and what is computed from it (core.py)."""
from .core import POLICY_DATA, SEVERITY_ORDER, SEVERITY_RANK, Analysis, Analyzer, analyze
from .sources import (FolderSource, Neo4jSource, Source, SourceUnavailable, StaticSource, as_source, neo4j_source,
                      source_errors)

__all__ = ["POLICY_DATA", "SEVERITY_ORDER", "SEVERITY_RANK", "Analysis", "Analyzer", "FolderSource", "Neo4jSource",
           "Source", "SourceUnavailable", "StaticSource", "analyze", "as_source", "neo4j_source", "source_errors"]
