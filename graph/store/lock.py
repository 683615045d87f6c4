"""One writer of a dataset at a time, held by the server and released when the holder dies.

A load writes its generation in many transactions, then swaps, then deletes every other
generation of the dataset. Were two loads of one dataset to overlap, the first one's cleanup
would delete the generation the other is still writing (the other then failed with
`EntityNotFound … Unable to load NODE`, or deadlocked against the cleanup). So a load holds the
dataset's lock from before its first batch to the end of its cleanup, and so does anything else
that writes into a generation (`write_findings`, `delete_dataset`).

The lock is an open transaction that has MERGEd the dataset's (:DatasetLock {dataset}) node
(unique per dataset, schema.DATASET_LOCK): a second transaction MERGEing the same node waits on
the uniqueness constraint until the first ends. It is always rolled back, so the node never
outlives its holder, and it needs no lease: when the holder dies (SIGKILL, power cut, lost
network) the server rolls its transaction back and the next writer goes on.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from . import schema

# Seconds a writer waits on the lock before it says so (`waiting` is called once).
NOTICE_AFTER = 1.0
TAKE = (f"MERGE (l:{schema.DATASET_LOCK.label} {{dataset: $dataset}}) "
        "SET l.holder_pid = $pid, l.holder = $holder")


@contextmanager
def dataset_lock(driver, name: str, database: str | None = None, holder: str = "load",
                 waiting: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the write lock of dataset `name` for the duration of the block (waits for it)."""
    session = driver.session(database=database)
    tx = None
    timer = threading.Timer(NOTICE_AFTER, waiting) if waiting else None
    try:
        tx = session.begin_transaction()
        if timer:
            timer.start()
        try:
            tx.run(TAKE, dataset=name, pid=os.getpid(), holder=holder).consume()
        finally:
            if timer:
                timer.cancel()
        yield
    finally:
        try:
            if tx is not None:
                tx.rollback()  # releases the lock; leaves no trace
        except Exception:  # noqa: BLE001 - the server may be gone: it rolls back on its own
            pass
        try:
            session.close()
        except Exception:  # noqa: BLE001
            pass
