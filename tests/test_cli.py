"""The command line (cli.py): every command listed, bad input answered with a clear message and exit status 2
(the inputs cannot be used; never a traceback), and nothing created where the data should be."""

from __future__ import annotations

from pathlib import Path

import pytest

from evalutils.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_help_lists_every_command(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for command in ("demo-data", "validate", "run", "verify", "site", "publish", "open", "demo"):
        assert command in out, command


def test_a_missing_data_directory_is_a_clear_error(tmp_path, capsys):
    rc = main(["run", "--data", str(tmp_path / "nowhere"), "--params", str(ROOT / "params"),
               "--reports", str(tmp_path / "r"), "--provinces", "bac-lieu", "--lang", "en"])
    err = capsys.readouterr().err
    assert rc == 2
    assert str(tmp_path / "nowhere") in err and "what to do" in err and "Traceback" not in err
    assert "nothing was built" in err and not (tmp_path / "r" / "en").exists()
    assert not (tmp_path / "nowhere").exists()  # nothing created where the data should be


def test_an_unknown_province_is_named(tmp_path, capsys):
    rc = main(["run", "--data", str(tmp_path), "--params", str(ROOT / "params"), "--reports", str(tmp_path / "r"),
               "--provinces", "atlantis", "--lang", "en"])
    err = capsys.readouterr().err
    assert rc == 2 and "unknown province 'atlantis'" in err and "what to do" in err and "Traceback" not in err
