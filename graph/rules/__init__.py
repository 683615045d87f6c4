"""The rule engine: a registry of rules, policy packs as data, and one top-down pass per chain."""
from .engine import Engine, check
from .findings import Finding, Report
from .policy import PackLibrary, PolicyError
from .registry import RULES, load_rules

__all__ = ["Engine", "Finding", "PackLibrary", "PolicyError", "RULES", "Report", "check", "load_rules"]
