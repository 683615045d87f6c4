"""Calendar arithmetic of RULES.md: "+N months" keeps the day number, clamped to the month's end."""
from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta


def add_months(day: date, months: int) -> date:
    return day + relativedelta(months=months)
