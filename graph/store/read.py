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
    raise DatasetNotFound(f"several datasets in Neo4j ({', '.join(names)}): choose one with --dataset NAME "
                          "(the WSGI server: ITAKU_NEO4J_DATASET=NAME)")


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


def vanished(exc: BaseException) -> bool:
    """The server lost a node it had just matched: a concurrent delete (a load's cleanup of the
    generation being read). Reading again, from the live tag, gives a consistent answer."""
    return getattr(exc, "code", None) == "Neo.ClientError.Statement.EntityNotFound"


def live_tag(tx, name: str) -> int | None:
    """The update_tag of dataset `name`'s live generation (None: no such dataset)."""
    row = tx.run("MATCH (d:Dataset {dataset: $dataset}) RETURN d.update_tag AS tag", dataset=name).single()
    return row["tag"] if row else None


def read_session(driver, database: str | None = None):
    """A session in READ access mode: the server refuses any write made through it, whatever the
    user may do (what the dashboard uses; give it a read-only user too where the edition has roles)."""
    from neo4j import READ_ACCESS

    return driver.session(database=database, default_access_mode=READ_ACCESS)


def read_dataset(driver, name: str, database: str | None = None, attempts: int = 5) -> Dataset:
    """The dataset `name` as a validated Dataset (rows in file order)."""
    def work(tx) -> tuple[int | None, dict[str, tuple] | None]:
        before = live_tag(tx, name)
        if before is None:
            return None, None
        fields: dict[str, tuple] = {}
        for item in [*(n for n in LOADED if n.record is not None), *REL_RECORDS]:
            fields[PLURAL[item.source]] = tuple(_records(tx, item, name, before))
        return (before if live_tag(tx, name) == before else -1), fields

    with read_session(driver, database) as session:
        for _ in range(attempts):
            try:
                tag, fields = session.execute_read(work)
            except Exception as exc:
                if not vanished(exc):
                    raise
                continue  # a load's cleanup deleted a node of the generation being read: read again
            if tag is None:
                resolve_name(driver, name, database)  # raises, naming what exists
                raise DatasetNotFound(f"no dataset {name!r} in Neo4j")
            if tag != -1:
                return Dataset.model_construct(name=name, **fields)
    raise RuntimeError(f"dataset {name!r} kept changing while it was read ({attempts} attempts)")
