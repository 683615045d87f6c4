"""The work of `itaku check --neo4j --jobs J`: a Job (what a worker process needs) and the pool
that checks principals with it. Kept apart from the CLI on purpose: a spawned worker imports this
module first to unpickle its task, and nothing here may import `itaku.cli` (whose import of the
CLI's modules would then be circular: the worker died at start, and with a large Job its parent
waited forever on the pipe it was writing the Job to)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Optional

from graph.rules import Engine, PackLibrary, Report


@dataclass(frozen=True)
class Job:
    """What a worker needs to check principals (picklable: a worker process connects on its own)."""

    uri: str
    database: Optional[str]
    name: str
    primes: Any  # graph.store.shard.Primes
    as_of: date
    policy_files: tuple[Path, ...]
    rules: Optional[tuple[str, ...]]
    policy: tuple[str, ...]

    def engine(self) -> Engine:
        return Engine(PackLibrary(list(self.policy_files)), rules=self.rules, policy_override=self.policy)

    def check(self, driver, engine: Engine, principals: list[str]) -> Report | None:
        from graph.store.shard import merge, principal_datasets

        datasets = principal_datasets(driver, self.name, self.primes, principals, self.database)
        return merge(engine.run(ds, self.as_of) for ds in datasets)


_worker: dict[str, Any] = {}


def _start_worker(job: Job) -> None:
    from graph.store.connect import connect

    _worker.update(job=job, driver=connect(job.uri, database=job.database), engine=job.engine())


def _check_one(principal: str) -> Report | None:
    from graph.store.connect import settings, unavailable

    job = _worker["job"]
    s = settings(job.uri)
    with unavailable(job.uri, s.user, s.timeout):  # driver errors → StoreUnavailable (one line, picklable)
        return job.check(_worker["driver"], _worker["engine"], [principal])


def check_report(driver, job: Job, principals: list[str], jobs: int) -> Report:
    """The report over the chains of `principals`, checked here or by `jobs` worker processes."""
    from graph.store.shard import merge

    empty = Report(job.as_of, [], 0, [])
    if jobs <= 1 or len(principals) <= 1:
        return job.check(driver, job.engine(), principals) or empty
    from concurrent.futures import ProcessPoolExecutor  # here: only --jobs needs it
    from multiprocessing import get_context

    with ProcessPoolExecutor(max_workers=min(jobs, len(principals)), mp_context=get_context("spawn"),
                             initializer=_start_worker, initargs=(job,)) as pool:
        return merge(r for r in pool.map(_check_one, principals) if r is not None) or empty
