"""Real git for the site tests: a bare repository on disk as the class's remote, clones as laptops, and local
HTTP servers on 127.0.0.1 that refuse, fail or never answer (tests never reach the internet)."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

POST = "---\nlayout: post\ntitle: Week 1\n---\n\n## Readings\n\n- Attention Is All You Need\n"


def need_git() -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")


def isolate_git(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """Keep the developer's own git config, identity, proxies and ssh out of the test (the code under test must not)."""
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in ("EMAIL", "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL",
                 "GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT", "GIT_SSH_COMMAND", "GIT_SSH", "GIT_DIR", "GIT_WORK_TREE",
                 "http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


def git(cwd: Path, *args: str) -> str:
    """Run git as the test's own hand (not the code under test); its stdout."""
    run = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert run.returncode == 0, f"git {' '.join(args)}: {run.stderr}"
    return run.stdout


def head(laptop: Path, ref: str = "HEAD") -> str:
    return git(laptop, "rev-parse", ref).strip()


def write(laptop: Path, name: str, text: str) -> Path:
    path = laptop / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="")
    return path


def commit_file(laptop: Path, name: str, text: str, message: str = "edit") -> str:
    """Write NAME, commit it (as the laptop's user) and return the commit id."""
    write(laptop, name, text)
    git(laptop, "add", "--", name)
    git(laptop, "commit", "-q", "-m", message)
    return head(laptop)


def short_status(laptop: Path) -> str:
    return git(laptop, "status", "--porcelain=v1", "--untracked-files=all")


@dataclass(slots=True)
class Laptops:
    remote: Path  # the bare repository the class pushes to
    alice: Path
    bob: Path


def clone(remote: Path, where: Path, name: str) -> Path:
    git(where.parent, "clone", "-q", str(remote), str(where))
    git(where, "config", "user.name", name)
    git(where, "config", "user.email", f"{name.lower()}@example.com")
    return where


def remote_and_two_laptops(tmp_path: Path) -> Laptops:
    """A bare remote holding one post and a README on `main`, cloned by Alice and Bob (each with their identity)."""
    remote = tmp_path / "remote.git"
    git(tmp_path, "-c", "init.defaultBranch=main", "init", "-q", "--bare", str(remote))
    alice = clone(remote, tmp_path / "alice", "Alice")
    git(alice, "checkout", "-q", "-b", "main")  # (an empty clone's branch name would come from init.defaultBranch)
    write(alice, "_posts/2024-01-08-week-1.md", POST)
    write(alice, "README.md", "Course site\n")
    git(alice, "add", ".")
    git(alice, "commit", "-q", "-m", "first post")
    git(alice, "push", "-q", "-u", "origin", "main")
    return Laptops(remote, alice, clone(remote, tmp_path / "bob", "Bob"))


class _Answer(BaseHTTPRequestHandler):
    status = 404
    headers_out: dict[str, str] = {}

    def do_GET(self) -> None:  # (the name http.server calls)
        body = b"no\n"
        self.send_response(self.status)
        for name, value in self.headers_out.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # (http.server's signature)
        """Quiet: the test reads git's message, not the server's log."""


@contextlib.contextmanager
def http_server(status: int, headers: dict[str, str] | None = None) -> Iterator[str]:
    """A server on 127.0.0.1 answering every request with STATUS; yields its base URL."""
    handler = type("Answer", (_Answer,), {"status": status, "headers_out": headers or {}})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)  # (shutdown waits one poll)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/site.git"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def silent_server() -> Iterator[str]:
    """A port on 127.0.0.1 that accepts connections (the kernel does, from the backlog) and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/site.git"
