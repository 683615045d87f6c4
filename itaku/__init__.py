"""Itaku (委託): the composition root — CLI and settings over loaders, graph, queries and dashboard."""
__version__ = "0.1.0"
