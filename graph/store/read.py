"""Read a dataset back from Neo4j into the same `loaders.model.Dataset` the folder gives.

Record nodes store every field of their record and their position in the file (`ord`), so the
Dataset read back is equal to the one loaded: `Engine.run` on it gives exactly the findings of
the folder. It reads the live generation (the `update_tag` of the dataset's (:Dataset) node) in
one read transaction, and checks that tag again at the end: if a load swapped in a new generation
meanwhile (and began deleting the old one), it reads again, so it never mixes two loads.
"""
from __future__ import annotations

from typing import Any

from loaders.model import PLURAL, Dataset

from . import schema
from .schema import LOADED, REL_RECORDS, NodeType, RelType


class DatasetNotFound(LookupError):
    """No dataset of that name in the graph (str: one line, naming those that exist)."""


def list_datasets(driver, database: str | None = None) -> list[dict[str, Any]]:
    """The datasets in the graph: name, update_tag, loaded_at, contracts; sorted by name."""
    records, _, _ = driver.execute_query(
        "MATCH (d:Dataset) RETURN d.dataset AS name, d.update_tag AS update_tag, d.loaded_at AS loaded_at, "
        "d.source AS source, d.contracts AS contracts ORDER BY name", database_=database, routing_="r")
    return [r.data() for r in records]


def resolve_name(driver, name: str | None, database: str | None = None) -> str:
    """The dataset to use: `name` if it exists, or the only dataset in the graph."""
    names = [d["name"] for d in list_datasets(driver, database)]
    if name is not None:
        if name not in names:
            raise DatasetNotFound(f"no dataset {name!r} in Neo4j"
                                  + (f" (loaded: {', '.join(names)})" if names else " (nothing loaded yet: itaku load DATASET --neo4j URI)"))
        return name
    if len(names) == 1:
        return names[0]
    if not names:
        raise DatasetNotFound("no dataset in Neo4j yet (itaku load DATASET --neo4j URI)")
    raise DatasetNotFound(f"several datasets in Neo4j ({', '.join(names)}): choose one with --dataset NAME")


def _native(value: Any) -> Any:
    to_native = getattr(value, "to_native", None)
    if to_native is not None:
        return to_native()
    if isinstance(value, list):
        return [_native(v) for v in value]
    return value


def _records(tx, item: NodeType | RelType, name: str, tag: int) -> list:
    fields, model = item.fields, item.record
    out = []
    for record in tx.run(schema.read_statement(item), dataset=name, update_tag=tag):
        props = record["p"]
        out.append(model.model_validate({f: _native(props[f]) for f in fields if f in props}))
    return out


def _tag(tx, name: str) -> int | None:
    row = tx.run("MATCH (d:Dataset {dataset: $dataset}) RETURN d.update_tag AS tag", dataset=name).single()
    return row["tag"] if row else None


def read_dataset(driver, name: str, database: str | None = None, attempts: int = 5) -> Dataset:
    """The dataset `name` as a validated Dataset (rows in file order)."""
    def work(tx) -> tuple[int | None, dict[str, tuple] | None]:
        before = _tag(tx, name)
        if before is None:
            return None, None
        fields: dict[str, tuple] = {}
        for item in [*(n for n in LOADED if n.record is not None), *REL_RECORDS]:
            fields[PLURAL[item.source]] = tuple(_records(tx, item, name, before))
        return (before if _tag(tx, name) == before else -1), fields

    with driver.session(database=database) as session:
        for _ in range(attempts):
            tag, fields = session.execute_read(work)
            if tag is None:
                resolve_name(driver, name, database)  # raises, naming what exists
                raise DatasetNotFound(f"no dataset {name!r} in Neo4j")
            if tag != -1:
                return Dataset.model_construct(name=name, **fields)
    raise RuntimeError(f"dataset {name!r} kept changing while it was read ({attempts} attempts)")


class Neo4jSource:
    """The dashboard's Source for Neo4j (dashboard/data.py `neo4j_source`): one dataset's live
    generation, read back into a Dataset. The dataset is `dataset`, else $ITAKU_NEO4J_DATASET,
    else the only one in the graph. The driver stays open; a read is repeated only when a load
    has swapped in a new generation since the last one. Connection problems raise
    StoreUnavailable (a ConnectionError, one line)."""

    def __init__(self, uri: str, user: str | None = None, password: str | None = None,
                 database: str | None = None, dataset: str | None = None):
        import os

        self.uri, self.user, self.password, self.database = uri, user, password, database
        self.dataset_name = dataset or os.environ.get("ITAKU_NEO4J_DATASET") or None
        self.name = f"{self.dataset_name or 'Neo4j'} ({uri})"
        self._driver = None
        self._cache: tuple[str, int, Dataset] | None = None

    def _connect(self):
        from .connect import connect

        if self._driver is None:
            self._driver = connect(self.uri, self.user, self.password, self.database)
        return self._driver

    def dataset(self) -> Dataset:
        from .connect import unavailable

        with unavailable(self.uri, self.user):
            driver = self._connect()
            name = resolve_name(driver, self.dataset_name, self.database)
            self.name = f"{name} ({self.uri})"
            with driver.session(database=self.database) as session:
                tag = session.execute_read(_tag, name)
            if self._cache and self._cache[:2] == (name, tag):
                return self._cache[2]
            ds = read_dataset(driver, name, self.database)
            self._cache = (name, tag, ds)
            return ds

    def close(self) -> None:
        if self._driver is not None:
            self._driver.close()
            self._driver = None
