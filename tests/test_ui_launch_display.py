"""A stale DISPLAY (an ssh session's, an Xvfb gone): one line and exit 1, not Qt's abort about xcb-cursor."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.ui.launch import display_problem, x_server_answers

ROOT = Path(__file__).resolve().parent.parent


def everything_found(name: str) -> str:
    return f"lib{name}.so"


def unused_display() -> str:
    """An X display number with no server: no socket and no lock file."""
    for number in range(173, 400):
        if not Path(f"/tmp/.X11-unix/X{number}").exists() and not Path(f"/tmp/.X{number}-lock").exists():
            return f":{number}"
    pytest.skip("every display number from :173 on is in use")


def test_a_display_nobody_answers_is_one_line_naming_it():
    problem = display_problem({"DISPLAY": ":99"}, "linux", everything_found, x_connects=lambda display: False)
    assert problem is not None and "\n" not in problem
    assert problem.startswith("cannot connect to display :99: ")
    assert "xvfb-run annotator" in problem and "annotator --help" in problem


def test_a_display_that_answers_or_cannot_be_asked_is_left_to_qt():
    assert display_problem({"DISPLAY": ":0"}, "linux", everything_found, x_connects=lambda display: True) is None
    assert display_problem({"DISPLAY": ":0"}, "linux", everything_found, x_connects=lambda display: None) is None
    # Wayland is not X: its display is not tried.
    tried = []
    env = {"DISPLAY": ":99", "WAYLAND_DISPLAY": "wayland-0"}
    assert display_problem(env, "linux", everything_found, x_connects=tried.append) is None and not tried


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11 displays are a Linux matter here")
def test_the_app_on_a_stale_display_says_so_in_one_line_and_exits_1(tmp_path):
    display = unused_display()
    if x_server_answers(display) is None:
        pytest.skip("libxcb is not installed")
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY", "ANNOTATOR_DB")}
    env["DISPLAY"] = display
    db = tmp_path / "library.sqlite"
    run = subprocess.run([sys.executable, "-m", "annotator", "--db", str(db)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, run.stderr
    assert run.stderr.count("\n") == 1, run.stderr
    assert run.stderr.startswith(f"error: cannot connect to display {display}: ")
    assert "xvfb-run" in run.stderr
    assert not db.exists()  # nothing was opened or created
