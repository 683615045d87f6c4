"""Problems found in a dataset, each reported as `file:row:column: message`."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .messages import Msg, msg

MAX_SHOWN = 80  # characters of a quoted value or a column name shown in a problem line
_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    row: int  # as a spreadsheet shows it: header = 1
    column: str  # the column name, or "-" for a problem of the whole file or row
    message: Msg  # rendered in a language when printed (loaders.messages)
    withheld: bool = False  # quoted values are withheld (personnel data)

    def text(self, lang: str = "en", file: str | None = None) -> str:
        """One line in `lang`, whatever the data: control characters escaped, long values shortened;
        the `file:row:column: ` prefix is the same in every language (`file` shown instead of self.file)."""
        message = self.message.text(lang)
        if self.withheld:
            shown = msg("withheld").text(lang)
            message = _QUOTED.sub(lambda _: shown, message)
        message = _QUOTED.sub(lambda m: _shorten(m[0], quoted=True), message)
        return f"{_printable(file or self.file)}:{self.row}:{_shorten(_printable(self.column))}: {_printable(message)}"

    def __str__(self) -> str:
        return self.text("en")

    def with_withheld_values(self) -> Problem:
        return replace(self, withheld=True)


def _printable(text: str) -> str:
    """Newlines, escapes and other non-printable characters written as \\n, \\x1b … (a cell can hold them)."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def _shorten(text: str, quoted: bool = False) -> str:
    if len(text) <= MAX_SHOWN:
        return text
    if quoted:
        return f"{text[:MAX_SHOWN - 1]}…{text[0]} ({len(text) - 2} characters)"
    return f"{text[:MAX_SHOWN - 1]}… ({len(text)} characters)"


class DatasetError(Exception):
    """The dataset is invalid; `problems` lists every problem found, in file and row order."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the dataset")
