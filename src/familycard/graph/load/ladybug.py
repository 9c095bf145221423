"""Step 3 on LadybugDB: one ``COPY <Table> FROM '<file>'`` per plan file, into a new database.

The new database is made in the load's work folder (schema first, nodes before relationships),
checkpointed and closed, and only then renamed over ``graph.lbug`` in the data folder: one
``rename`` of one file, so a kill -9 at any moment leaves the store as it was (its own file,
untouched) and the work folder, which the next load removes.
"""
from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from familycard.graph import model
from familycard.graph.load import plan
from familycard.graph.store import dialect
from familycard.graph.store.ladybug import DB_FILE, LadybugStore

__all__ = ["build_database", "swap_in"]


def build_database(plan_dir: Path, db_dir: Path, *, pause_s: float = 0.0, buffer_pool: int = 0,
                   progress: Callable[[str, int], None] | None = None,
                   tables: Sequence[model.Table] = plan.PLAN_TABLES) -> int:
    """A LadybugDB database in ``db_dir`` holding the plan; returns the rows copied.

    ``pause_s``: seconds to wait after each table (a test hook: the crash tests kill the load
    there). ``progress(table, rows)`` after each table. ``tables``: the plan's tables, nodes
    first; one the model does not declare is created here (bench/monthly_model.py copies
    another layout of the monthly facts so)."""
    import pyarrow.parquet as pq

    db_dir.mkdir(parents=True, exist_ok=True)
    copied = 0
    with LadybugStore(db_dir, buffer_pool=buffer_pool) as store:
        store.setup_schema()
        for ddl in dialect.ladybug_ddl([t for t in tables if t.name not in model.TABLES]):
            store.write(ddl)
        for table in tables:  # node tables first: a relationship's COPY finds its ends
            rows = 0
            for f in plan.table_files(plan_dir, table):
                store.write(dialect.ladybug_copy(table, str(f.resolve())))
                rows += pq.ParquetFile(f).metadata.num_rows
            copied += rows
            if progress:
                progress(table.name, rows)
            if pause_s:
                time.sleep(pause_s)
        store.write("CHECKPOINT")
    return copied


def swap_in(db_dir: Path, data_dir: Path) -> None:
    """Put the database built in ``db_dir`` in place of the data folder's (closed) one.

    The old one must have no write-ahead log left (a clean close checkpoints it): the new file
    would otherwise be opened with the old file's log, and replay it."""
    new, old = db_dir / DB_FILE, data_dir / DB_FILE
    for leftover in (db_dir / f"{DB_FILE}.wal", data_dir / f"{DB_FILE}.wal"):
        if leftover.exists() and leftover.stat().st_size:
            raise RuntimeError(f"{leftover}: a write-ahead log is left beside the database; "
                               "open the store once (any familycard command) and load again")
        leftover.unlink(missing_ok=True)
    os.replace(new, old)
    fd = os.open(data_dir, os.O_RDONLY)
    try:
        os.fsync(fd)  # the rename itself on disk before the load says it is done
    finally:
        os.close(fd)
