"""A load that did not finish: a marker in the data folder while one runs, reported afterwards.

``begin`` writes ``load-in-progress.json`` (who, when, which feeds, the work folder) before a
load touches anything; ``finish`` removes it once the store holds the whole load. A marker whose
process is gone means a load was killed (or its machine lost power): ``interrupted`` returns it,
every command that opens the store says so, and a rerun of ``familycard load`` takes over.
"""
from __future__ import annotations

import contextlib
import json
import os
import socket
from pathlib import Path

from familycard import dates

__all__ = ["MARKER", "begin", "finish", "interrupted", "running"]

MARKER = "load-in-progress.json"


def begin(data_dir: Path, engine: str, feeds: list[str], work_dir: Path) -> dict:
    """Mark a load as started (written whole, then renamed: a crash leaves no half marker)."""
    info = {"pid": os.getpid(), "host": socket.gethostname(), "started_at": dates.utcnow().isoformat(),
            "engine": engine, "feeds": feeds, "work_dir": str(work_dir)}
    data_dir.mkdir(parents=True, exist_ok=True)
    tmp = data_dir / f".{MARKER}.{os.getpid()}"
    tmp.write_text(json.dumps(info, ensure_ascii=False))
    os.replace(tmp, data_dir / MARKER)
    return info


def finish(data_dir: Path) -> None:
    (data_dir / MARKER).unlink(missing_ok=True)


def _read(data_dir: Path) -> dict | None:
    try:
        info = json.loads((data_dir / MARKER).read_text())
    except (OSError, ValueError):
        return None
    return info if isinstance(info, dict) else None


def _alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    with contextlib.suppress(OSError):  # a zombie (killed, not yet reaped) is gone for us
        if " Z " in Path(f"/proc/{pid}/stat").read_text().split(")", 1)[1][:4]:
            return False
    return True


def running(data_dir: Path) -> dict | None:
    """The marker of a load still running on this machine, if one is."""
    info = _read(data_dir)
    if info and info.get("host") == socket.gethostname() and _alive(info.get("pid")):
        return info
    return None


def interrupted(data_dir: Path) -> dict | None:
    """The marker of a load that did not finish (its process is gone), if one is there."""
    info = _read(data_dir)
    if info is None or running(data_dir) is not None:
        return None
    return info
