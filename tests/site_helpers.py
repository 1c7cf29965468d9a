"""Two laptops with a Jekyll site in a shared bare remote, each with its own library, driven through `annotator site`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.store import editing, queries
from annotator.store.library import open_library
from tests.conftest import DATA
from tests.git_fixtures import git, isolate_git, need_git, remote_and_two_laptops, write

POST = "_contents/S0-L07.md"
OTHER = "_contents/S0-L08.md"
BASE = (DATA / "merge" / "session.md").read_text(encoding="utf-8")
CONFIG = "title: Reading group\ncollections:\n  contents:\n    output: true\n"


@dataclass(slots=True)
class Laptop:
    clone: Path
    db: Path

    def run(self, *args: str) -> int:
        return main(["--db", str(self.db), "site", *args])

    def json(self, capsys: pytest.CaptureFixture[str], *args: str) -> dict:
        capsys.readouterr()
        self.run(*args, "--json")
        return json.loads(capsys.readouterr().out)

    def text(self, path: str = POST) -> str:
        return (self.clone / path).read_text(encoding="utf-8")

    def annotate(self, code: str, number: int, **fields: object) -> None:
        """Set a reading's team, notes or videos in this laptop's library (as the app does)."""
        with open_library(self.db) as lib:
            reading = queries.session_readings(lib.conn, queries.resolve_session(lib.conn, f"C/{code}"))[number - 1]
            editing.edit_reading(lib, reading["reading_id"], **fields)

    def readings(self, code: str = "S0-L07") -> list[dict]:
        with open_library(self.db) as lib:
            return queries.session_readings(lib.conn, queries.resolve_session(lib.conn, f"C/{code}"))


@dataclass(slots=True)
class Class:
    remote: Path
    alice: Laptop
    bob: Laptop


def linked_laptops(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Class:
    """A site with two session posts on the remote, cloned and linked (course C) by Alice and Bob."""
    need_git()
    isolate_git(monkeypatch, tmp_path / "home")
    laptops = remote_and_two_laptops(tmp_path)
    write(laptops.alice, "_config.yml", CONFIG)
    write(laptops.alice, POST, BASE)
    write(laptops.alice, OTHER, BASE.replace("Agents and Memory", "Agents, part two"))
    git(laptops.alice, "add", ".")
    git(laptops.alice, "commit", "-q", "-m", "two sessions")
    git(laptops.alice, "push", "-q")
    git(laptops.bob, "pull", "-q")
    alice, bob = Laptop(laptops.alice, tmp_path / "alice.sqlite"), Laptop(laptops.bob, tmp_path / "bob.sqlite")
    for laptop in (alice, bob):
        assert laptop.run("link", "C", str(laptop.clone)) == 0
    return Class(laptops.remote, alice, bob)


def remote_text(remote: Path, path: str = POST) -> str:
    return git(remote, "show", f"main:{path}")
