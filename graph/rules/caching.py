"""Small helpers for the hot path of the rules pass: a lockless cached_property, and pausing the
cyclic garbage collector while millions of acyclic objects are allocated (the loaders' own)."""
from __future__ import annotations

from loaders.fast import paused_gc  # noqa: F401  (re-exported for the engine)


class cached_property:  # noqa: N801 - functools.cached_property without its per-access lock (Python 3.11)
    """Computed on first access, then read from the instance's __dict__ (a non-data descriptor)."""

    def __init__(self, func):
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.func(obj)
        return value
