"""File and folder names that are not UTF-8 (an old archive unpacked on Linux, a USB stick from another
system): Python reads them with lone surrogates, which SQLite, Qt and a strict stdout all refuse. The
import keeps going, says which file it could not take, and never ends in a traceback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.store import queries
from annotator.store.importing import import_paths
from tests.conftest import DATA, ROOT


def undecodable(folder: Path, name: bytes) -> Path:
    """FOLDER/NAME for a NAME that is not UTF-8, or skip where the file system refuses such names."""
    path = Path(os.fsdecode(os.fsencode(folder) + b"/" + name))
    try:
        path.mkdir() if not name.endswith(b".md") else shutil.copy(DATA / "session_quirks.md", path)
    except OSError:
        pytest.skip("this file system refuses names that are not UTF-8")
    return path


@pytest.fixture
def folders(tmp_path: Path) -> Path:
    """tmp/course\\xff/S1.md (a folder that names a course) and tmp/plain/S\\xfe2.md beside plain/S3.md."""
    course = undecodable(tmp_path, b"course\xff")
    shutil.copy(DATA / "session_quirks.md", course / "S1.md")
    plain = tmp_path / "plain"
    plain.mkdir()
    undecodable(plain, b"S\xfe2.md")
    shutil.copy(DATA / "session_quirks.md", plain / "S3.md")
    return tmp_path


def test_a_folder_whose_name_is_not_utf8_names_its_course_readably(lib, folders):
    results, _ = import_paths(lib, [str(folders / os.fsdecode(b"course\xff"))])
    assert [r.error for r in results] == [""]
    assert [(s["course"], s["id"]) for s in queries.list_sessions(lib.conn)] == [("course\ufffd", "S1")]


def test_a_file_whose_name_is_not_utf8_is_refused_by_name_and_the_others_import(lib, folders):
    results, _ = import_paths(lib, [str(folders / "plain")])
    errors = [r.error for r in results if r.error]
    assert errors == [f"{folders}/plain/S\ufffd2.md: the file's name is not UTF-8 text, which the library cannot "
                      "keep: rename the file to import it"]
    assert [s["id"] for s in queries.list_sessions(lib.conn)] == ["S3"]


def test_the_command_says_so_on_a_strict_terminal_and_its_json_is_utf8(tmp_path, folders):
    env = {**os.environ, "PYTHONIOENCODING": "utf-8:strict", "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "annotator", "--db", str(tmp_path / "lib.sqlite"), "import", "--recursive"]
    done = subprocess.run([*command, str(folders)], env=env, capture_output=True, cwd=ROOT)
    assert done.returncode == 1 and b"Traceback" not in done.stderr
    assert "S\ufffd2.md: the file's name is not UTF-8 text".encode() in done.stderr
    assert b"imported 2 of 3 files, 1 failed" in done.stdout
    listed = subprocess.run([*command, "--json", str(folders)], env=env, capture_output=True, cwd=ROOT)
    paths = [entry["path"] for entry in json.loads(listed.stdout.decode("utf-8"))["files"]]
    assert f"{folders}/course\ufffd/S1.md" in paths
