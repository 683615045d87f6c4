"""Cell-level parsing shared by every loader: dates (ISO and Japanese era), booleans, lists, ids.

Each parser takes the raw cell (str from CSV, or a typed value from Excel) and returns the
Python value or raises ValueError with a message fit for `file:row:column: message`.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

from .messages import MessageError, msg

# Era name, its one-letter abbreviation, its first and last day.
ERAS = (
    ("令和", "R", date(2019, 5, 1), date.max),
    ("平成", "H", date(1989, 1, 8), date(2019, 4, 30)),
    ("昭和", "S", date(1926, 12, 25), date(1989, 1, 7)),
)
_ERA_BY_TOKEN = {tok: era for era in ERAS for tok in (era[0], era[1])}
_ERA_RE = re.compile(
    r"^(令和|平成|昭和|R|H|S)\s*(元|\d{1,2})\s*(?:年|\.|/|-)\s*(\d{1,2})\s*(?:月|\.|/|-)\s*(\d{1,2})\s*日?$",
    re.IGNORECASE,
)
_WESTERN_RE = re.compile(r"^(\d{4})\s*(?:-|/|\.|年)\s*(\d{1,2})\s*(?:-|/|\.|月)\s*(\d{1,2})\s*日?$")

TRUE_WORDS = frozenset({"true", "1", "yes", "○", "〇", "◯", "はい", "有", "あり"})
FALSE_WORDS = frozenset({"false", "0", "no", "×", "✕", "いいえ", "無", "なし"})


def normalize(text: str) -> str:
    """Full-width digits and letters to ASCII (NFKC), surrounding space removed."""
    return unicodedata.normalize("NFKC", text).strip()


# Dates outside this range are input errors (a typo, or a sentinel such as 9999-12-31 for "open
# ended"): the rules add months and years to dates, and must never leave the calendar.
FIRST_DATE, LAST_DATE = date(1900, 1, 1), date(2999, 12, 31)


def parse_date(value: object) -> date:
    result = _parse_date(value)
    if not FIRST_DATE <= result <= LAST_DATE:
        shown = normalize(str(value)) if isinstance(value, str) else result.isoformat()
        raise MessageError(msg("date_out_of_range", value=shown, first=FIRST_DATE, last=LAST_DATE))
    return result


def _parse_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = normalize(str(value))
    if m := _WESTERN_RE.match(text):
        return _make_date(int(m[1]), int(m[2]), int(m[3]), text)
    if m := _ERA_RE.match(text):
        name, _, first, last = _ERA_BY_TOKEN[m[1].upper() if len(m[1]) == 1 else m[1]]
        era_year = 1 if m[2] == "元" else int(m[2])
        if era_year < 1:
            raise MessageError(msg("era_year_invalid", value=text))
        result = _make_date(first.year + era_year - 1, int(m[3]), int(m[4]), text)
        if not first <= result <= last:
            raise MessageError(msg("outside_era", value=text, era=name))
        return result
    raise MessageError(msg("not_a_date", value=text))


def _make_date(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise MessageError(msg("no_such_date", value=text)) from None


def parse_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = normalize(str(value)).lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise MessageError(msg("not_a_boolean", value=text))


_INT_RE = re.compile(r"^[+-]?\d{1,18}$")


def parse_int(value: object) -> int:
    """An integer cell: ASCII or full-width digits (１２００), or an Excel number without a fraction."""
    if isinstance(value, bool):
        raise MessageError(msg("not_an_integer", value=value))
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e18:
        return int(value)
    text = normalize(str(value))
    if _INT_RE.match(text):
        return int(text)
    raise MessageError(msg("not_an_integer", value=text))


def split_list(value: object) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    parts = re.split(r"[;；]", str(value))
    return [p for p in (normalize(part) for part in parts) if p]


def to_text(value: object) -> str:
    """Excel hands numbers for numeric-looking ids: 12.0 → '12'."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        return str(value)
    return str(value).strip()


def alias_parser(aliases: dict[str, str], what: str):
    """Build a parser mapping any accepted spelling (English value or Japanese alias) to the value;
    `what` names the vocabulary in messages (a `noun.` key of loaders.messages)."""
    folded = {normalize(k).lower(): v for k, v in aliases.items()}
    shown = ", ".join(dict.fromkeys(aliases.values()))

    def parse(value: object) -> str:
        text = normalize(str(value))
        try:
            return folded[text.lower()]
        except KeyError:
            raise MessageError(msg("unknown_choice", what=msg("noun." + what), value=text, expected=shown)) from None

    return parse
