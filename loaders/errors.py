"""Problems found in a dataset, each reported as `file:row:column: message`."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    row: int  # as a spreadsheet shows it: header = 1
    column: str  # the column name, or "-" for a problem of the whole file or row
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.row}:{self.column}: {self.message}"


class DatasetError(Exception):
    """The dataset is invalid; `problems` lists every problem found, in file and row order."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the dataset")
