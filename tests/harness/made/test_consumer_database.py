"""A consumer test's scratch database: migrated by the service's own migrations, and no litter."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import asyncio, sys
from pathlib import Path
from solo60.harness.made.consumer_database import migrated_sqlite
for copy in ("a", "b"):
    asyncio.run(migrated_sqlite("user", Path(sys.argv[1]) / copy / "user.sqlite"))
"""


def test_each_copy_has_the_services_tables_and_the_template_leaves_with_the_process(tmp_path: Path) -> None:
    temporary, copies = tmp_path / "tmp", tmp_path / "copies"
    temporary.mkdir()
    subprocess.run(
        [sys.executable, "-c", SCRIPT, str(copies)], env={**os.environ, "TMPDIR": str(temporary)}, check=True
    )
    for copy in ("a", "b"):
        with sqlite3.connect(copies / copy / "user.sqlite") as db:
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"users", "user_alembic_version"} <= tables
    assert list(temporary.iterdir()) == []
