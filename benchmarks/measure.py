"""Measuring one stage inside a process: wall and CPU time, and the peak resident set size.

The peak is the kernel's high-water mark (VmHWM in /proc/self/status); on Linux it is reset
before each stage (`5` written to /proc/self/clear_refs), so each stage reports its own peak,
which includes everything already resident (the dataset a later stage works on).
"""
from __future__ import annotations

import os
import resource
import time
from collections.abc import Callable
from typing import Any

_CLEAR_REFS = "/proc/self/clear_refs"


def _status_kb(key: str) -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def reset_peak() -> bool:
    """Reset the peak RSS to the current RSS; False where the platform cannot."""
    try:
        with open(_CLEAR_REFS, "w", encoding="ascii") as f:
            f.write("5")
        return True
    except OSError:
        return False


def peak_rss_mb() -> float:
    kb = _status_kb("VmHWM")
    if kb is None:  # not Linux: the whole process's peak (ru_maxrss is KiB on Linux, bytes on macOS)
        kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        if os.uname().sysname == "Darwin":
            kb //= 1024
    return kb / 1024


def rss_mb() -> float:
    kb = _status_kb("VmRSS")
    return (kb or 0) / 1024


def stage(fn: Callable[[], Any]) -> tuple[Any, dict[str, float]]:
    """Run fn; return its result and {wall_s, cpu_s, peak_rss_mb, rss_mb}."""
    per_stage = reset_peak()
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    figures = {"wall_s": time.perf_counter() - wall, "cpu_s": time.process_time() - cpu,
               "peak_rss_mb": peak_rss_mb(), "rss_mb": rss_mb()}
    if not per_stage:
        figures["peak_is_cumulative"] = 1.0
    return result, figures
