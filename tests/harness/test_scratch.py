"""Where the pipeline's throwaway data goes: a roomy memory filesystem when there is one, else the default."""

from __future__ import annotations

from pathlib import Path

import pytest

from solo60.harness import scratch
from solo60.harness.scratch import scratch_root


def test_a_writable_folder_with_room_is_used(tmp_path: Path) -> None:
    assert scratch_root(tmp_path) == str(tmp_path)


def test_without_the_folder_the_systems_temporary_folder_is_used(tmp_path: Path) -> None:
    assert scratch_root(tmp_path / "missing") is None


def test_a_folder_with_too_little_room_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scratch, "ENOUGH_FREE_BYTES", 1 << 62)

    assert scratch_root(tmp_path) is None
