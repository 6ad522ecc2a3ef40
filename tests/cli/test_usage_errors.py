"""Usage mistakes on the `solo60` command line: one line on stderr naming the mistake, status 2."""

from __future__ import annotations

import pytest

from solo60.cli import main


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["nosuchcmd"], "error: No such command 'nosuchcmd'. (see 'solo60 --help')"),
        (["services", "up", "--bogus"], "error: No such option: --bogus (see 'solo60 services up --help')"),
        (
            ["can-i-deploy", "--pacticipant", "x"],
            "error: Missing option '--version' / '-e'. (see 'solo60 can-i-deploy --help')",
        ),
    ],
)
def test_a_usage_mistake_is_one_line_and_status_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    captured = capsys.readouterr()
    assert captured.err == message + "\n"
    assert captured.out == ""


def test_help_still_prints_and_succeeds(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["services", "--help"])
    assert exited.value.code == 0
    assert "Usage: solo60 services" in capsys.readouterr().out


def test_a_command_s_own_exit_status_is_kept(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["fuzz", "--max-examples", "0"])
    assert exited.value.code == 2
    assert capsys.readouterr().err.strip() == "error: --max-examples must be at least 1, not 0"
