"""Where the pipeline keeps data it throws away: in memory when the machine offers it.

The consumer tests and the providers the pipeline starts keep SQLite files nobody reads after
the run. On a disk, SQLite syncs a WAL database when it checkpoints and when its last
connection closes: about 15 ms per scratch database on the development machine, against 1 ms
on a memory filesystem, and a consumer run opens and closes more than a hundred of them (one
per test, one per live neighbour). `/dev/shm` is such a filesystem on Linux; where it is
missing or small (a container's default is 64 MB), the system's temporary folder is used.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

MEMORY_FILESYSTEM = Path("/dev/shm")
ENOUGH_FREE_BYTES = 512 * 1024 * 1024
"""A pipeline run writes some tens of MB there; the rest is the margin other users of it need."""


def scratch_root(candidate: Path = MEMORY_FILESYSTEM) -> str | None:
    """The folder for throwaway data (`tempfile`'s `dir=`): `candidate` when usable, else None (the default)."""
    try:
        usable = candidate.is_dir() and os.access(candidate, os.W_OK | os.X_OK)
        return str(candidate) if usable and shutil.disk_usage(candidate).free >= ENOUGH_FREE_BYTES else None
    except OSError:
        return None
