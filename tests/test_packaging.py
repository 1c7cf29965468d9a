"""The wheel carries its migrations and resources; CI runs exactly the README's test command."""

import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines[:30] if line.startswith("    python3 -m venv")]


def test_readme_starts_with_the_two_commands_and_ci_runs_the_test_one():
    install, test = readme_commands()[:2]
    assert install.endswith("pip install . && annotator")
    assert "pytest" in test and "[test]" in test
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert test in ci_lines


def test_installed_distribution_ships_migrations_and_resources():
    try:
        files = {str(f) for f in metadata.files("annotator") or []}
    except metadata.PackageNotFoundError:
        pytest.skip("annotator is not installed (pip install '.[test]')")
    if "annotator/__init__.py" not in files:
        pytest.skip("editable install: package data is read from the source tree")
    for name in ("annotator/db/001_initial.sql", "annotator/db/002_sort_indexes.sql",
                 "annotator/resources/sample/sample-session.md"):
        assert name in files


def test_migrations_are_found_from_outside_the_source_tree(tmp_path):
    code = "from annotator.store.migrations import latest_version; print(latest_version())"
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    if run.returncode and "No module named 'annotator'" in run.stderr:
        pytest.skip("annotator is not installed")
    assert run.returncode == 0, run.stderr
    assert int(run.stdout) >= 2
