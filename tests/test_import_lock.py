"""Parsing an import never holds the library's write lock: an edit from another process goes through meanwhile.

To make parsing slow on purpose, the import these tests start loads a `sitecustomize` that holds
any file containing SLOW_MARK in parsing until the test releases it, after saying so with a file
named by the process id.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator.store import editing, queries
from annotator.store.library import open_library
from tests.bench.generate import session_post_text

ROOT = Path(__file__).resolve().parent.parent
SLOW_MARK = "HOLD-THIS-PARSE"
SITECUSTOMIZE = f'''
import os, time
if os.environ.get("SLOW_PARSE_DIR"):
    from annotator.store import parsed_files

    _folder, _parse_text = os.environ["SLOW_PARSE_DIR"], parsed_files.parse_text

    def _slow_parse_text(text, path, name):
        if "{SLOW_MARK}" in text:
            open(os.path.join(_folder, f"parsing-{{os.getpid()}}"), "w").close()
            deadline = time.monotonic() + 60
            while not os.path.exists(os.path.join(_folder, "release")) and time.monotonic() < deadline:
                time.sleep(0.02)
        return _parse_text(text, path, name)

    parsed_files.parse_text = _slow_parse_text
'''


@pytest.fixture
def slow_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a process whose parses of SLOW_MARK files wait for `release`."""
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    (tmp_path / "signals").mkdir()
    return dict(os.environ, PYTHONPATH=os.pathsep.join([str(hooks), str(ROOT)]), SLOW_PARSE_DIR=str(tmp_path / "signals"))


def annotator(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "annotator", *args], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def posts(folder: Path, count: int, slow: set[int]) -> Path:
    """COUNT session posts in FOLDER; those numbered in SLOW are held in parsing."""
    folder.mkdir()
    for number in range(count):
        text = session_post_text(number, 2)
        if number in slow:
            text += f"\n<!-- {SLOW_MARK} -->\n"
        (folder / f"S{number:03d}.md").write_text(text, encoding="utf-8")
    return folder


def wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"no {what} within {seconds} s"
        time.sleep(0.02)


def parsing_pids(signals: Path) -> set[int]:
    return {int(p.name.removeprefix("parsing-")) for p in signals.glob("parsing-*")}


@pytest.fixture
def started() -> Iterator[list[subprocess.Popen[str]]]:
    """Processes a test starts; any still running at its end are killed."""
    processes: list[subprocess.Popen[str]] = []
    yield processes
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.wait()


@pytest.mark.parametrize("files", [1, 60], ids=["one file", "many files"])
def test_an_edit_goes_through_while_an_import_is_parsing_a_slow_file(tmp_path, slow_env, started, files):
    db = tmp_path / "library.sqlite"
    with open_library(db) as lib:
        editing.new_session(lib, "Course", "S-EDIT", "Before", "2024-01-10")
    folder = posts(tmp_path / "posts", files, slow={files // 2})
    importing = annotator(slow_env, "--db", str(db), "import", str(folder))
    started.append(importing)
    signals = tmp_path / "signals"
    wait_for(lambda: parsing_pids(signals), 60, "slow parse")
    edit = subprocess.run([sys.executable, "-m", "annotator", "--db", str(db), "edit", "S-EDIT", "--title", "After"],
                          cwd=ROOT, env=slow_env, capture_output=True, text=True, timeout=60)
    assert edit.returncode == 0, edit.stderr  # before: "locked" after waiting 15 s for the import's lock
    (signals / "release").touch()
    out, err = importing.communicate(timeout=60)
    assert importing.returncode == 0, err
    with open_library(db) as lib:
        assert queries.session_detail(lib.conn, queries.resolve_session(lib.conn, "S-EDIT"))["title"] == "After"
        assert len(queries.list_sessions(lib.conn)) == files + 1
