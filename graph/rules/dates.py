"""Calendar arithmetic of RULES.md: "+N months" keeps the day number, clamped to the month's end."""
from __future__ import annotations

from calendar import monthrange
from datetime import date
from functools import lru_cache

from dateutil.relativedelta import relativedelta


def add_months(day: date, months: int) -> date:
    """`day + relativedelta(months=months)`; plain dates take a cached fast path (the rules call
    this for every contract, and a dataset has few distinct dates)."""
    if type(day) is date and type(months) is int:
        return _add_months(day, months)
    return day + relativedelta(months=months)


@lru_cache(maxsize=1 << 16)
def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    if not 1 <= year <= 9999:
        return day + relativedelta(months=months)  # raises as relativedelta does
    return date(year, month, min(day.day, monthrange(year, month)[1]))
