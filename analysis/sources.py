"""Where the dataset of an analysis comes from: a folder or .xlsx (loaded once), a Dataset in
memory, or the Neo4j graph store (re-read when its update tag changes)."""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from graph.rules import PackLibrary
from loaders import Dataset, load_dataset

# Contracts above which a folder stays by column: at a million contracts records would take GBs;
# below, the pages' many passes over the records (reports, exports) are faster over built records.
LAZY_ABOVE = 200_000


@runtime_checkable
class Source(Protocol):
    """Where an analysis reads its dataset: a folder (embedded engine) or a Neo4j graph."""

    name: str

    def dataset(self) -> Dataset: ...


class FolderSource:
    """A dataset folder or .xlsx, loaded and validated once (DatasetError on bad input); a CSV
    folder of more than LAZY_ABOVE contracts is kept by column (loaders.lazy.ColumnarDataset:
    records built when read), as `itaku check` reads it."""

    def __init__(self, path: str | Path, library: PackLibrary | None = None):
        self.path = Path(path)
        self.name = self.path.stem if self.path.is_file() else self.path.name
        self._library = library
        self._lock = threading.Lock()
        self._ds: Dataset | None = None

    def dataset(self) -> Dataset:
        with self._lock:
            if self._ds is None:
                packs = self._library or PackLibrary()
                self._ds = load_dataset(self.path, known_policies=packs.ids(), lazy=LAZY_ABOVE)
            return self._ds


class StaticSource:
    """A Dataset already in memory (generated data, tests)."""

    def __init__(self, dataset: Dataset, name: str | None = None):
        self._ds = dataset
        self.name = name or dataset.name

    def dataset(self) -> Dataset:
        return self._ds


class SourceUnavailable(Exception):
    """The requested source cannot be used here (e.g. the Neo4j reader is not installed)."""


class Neo4jSource:
    """The Neo4j graph store (graph.store, issue 4) as a Source: the dataset read back with
    graph.store.read.read_dataset. `revision()` is the dataset's live update tag, so a new
    `itaku load` is picked up by the next callback; credentials come from the caller (the CLI
    and wsgi read them from the environment) and are never logged."""

    def __init__(self, uri: str, user: str | None = None, password: str | None = None,
                 database: str | None = None, dataset: str | None = None):
        try:
            from graph.store import connect as _connect, read as _read  # noqa: F401
        except ImportError as exc:
            raise SourceUnavailable(f"the Neo4j reader (graph.store.read) is not available: {exc}") from None
        self.uri, self._user, self._password, self.database = uri, user, password, database
        self._wanted = dataset
        self._lock = threading.Lock()
        self._driver = None
        self._cached: tuple[Any, Dataset] | None = None
        self.name = f"{dataset or 'Neo4j'} @ {uri}"

    def _connect(self):
        from graph.store.connect import connect

        if self._driver is None:
            self._driver = connect(self.uri, self._user, self._password, self.database)
        return self._driver

    def revision(self) -> Any:
        """The live update tag of the dataset (changes with every load)."""
        from graph.store.connect import unavailable
        from graph.store.read import list_datasets, resolve_name

        with self._lock, unavailable(self.uri, self._user):
            driver = self._connect()
            name = resolve_name(driver, self._wanted, self.database)
            tags = {d["name"]: d["update_tag"] for d in list_datasets(driver, self.database)}
            return name, tags.get(name)

    def dataset(self) -> Dataset:
        from graph.store.connect import unavailable
        from graph.store.read import read_dataset

        rev = self.revision()
        with self._lock:
            if self._cached is None or self._cached[0] != rev:
                with unavailable(self.uri, self._user):
                    self._cached = (rev, read_dataset(self._connect(), rev[0], self.database))
                self.name = f"{rev[0]} @ {self.uri}"
            return self._cached[1]

    def close(self) -> None:
        if self._driver is not None:
            self._driver.close()
            self._driver = None


def neo4j_source(uri: str, user: str | None = None, password: str | None = None,
                 database: str | None = None, dataset: str | None = None) -> Source:
    return Neo4jSource(uri, user, password, database, dataset)


def source_errors() -> tuple[type[BaseException], ...]:
    """Errors a Source raises when its data cannot be read (Neo4j down, no such dataset)."""
    out: list[type[BaseException]] = [SourceUnavailable]
    try:
        from graph.store.connect import StoreUnavailable
        from graph.store.read import DatasetNotFound

        out += [StoreUnavailable, DatasetNotFound]
    except ImportError:
        pass
    return tuple(out)


def as_source(source: Source | Dataset | str | Path) -> Source:
    """A Source from what the caller has: a Dataset, a path (folder or .xlsx) or a Source."""
    if isinstance(source, Dataset):
        return StaticSource(source)
    if isinstance(source, (str, Path)):
        return FolderSource(source)
    return source
