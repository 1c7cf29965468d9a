"""The inputs of issue 13 that made `annotator import` take minutes: each imports in a moment, and reads as before."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.formats.lecture_page import parse_lecture_page
from annotator.formats.slide_outline import parse_slide_outline

ROOT = Path(__file__).resolve().parent.parent
SECONDS = 20  # generous: each takes well under a second; before, 160 s and 27 s


def annotator(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "annotator", *args], cwd=ROOT, env=env, text=True,
                          capture_output=True, timeout=SECONDS)


@pytest.mark.parametrize("name, text, readings", [
    ("lecture page with a 200 KB line of blanks",  # the lecture page marker regex tried every split of the blanks
     "---\ntitle: Lecture\n---\n**Paper:** [x](https://arxiv.org/abs/2401.00001)\n" + " \t" * 100_000 + "\n", 1),
    ("slide outline with 105 KB of placeholder links",  # each link searched the rest of its line for a venue
     "# T\nCourse\n20240125\n# Slide\n" + "[x](#) " * 15_000 + "\n", 0),
])
def test_the_slow_inputs_of_issue_13_import_at_once(tmp_path, name, text, readings):
    path = tmp_path / "slow.md"
    path.write_text(text, encoding="utf-8")
    done = annotator("--db", str(tmp_path / "library.sqlite"), "import", str(path))
    assert done.returncode == 0, done.stderr
    shown = annotator("--db", str(tmp_path / "library.sqlite"), "show", "slow", "--json")
    assert len(json.loads(shown.stdout)["readings"]) == readings


def test_blanks_inside_a_heading_team_or_title_are_kept_and_around_them_dropped():
    page = parse_lecture_page("---\ntitle: L\n---\n## Part  one \t\n**Paper:** [P](https://arxiv.org/abs/2401.00001)\n"
                              "+ Team:  team  one \t\n+ Video:\t https://youtu.be/x  \n")
    [reading] = page.readings
    assert (reading.section, reading.team, reading.videos) == ("Part one", "team  one", ["https://youtu.be/x"])
    outline = parse_slide_outline("# Deep \t Learning ## \n20240125\n# Slide\n[Latent Diffusion](#)\nCVPR  \t'22\n")
    assert outline.title == "Deep Learning" and [r.paper.title for r in outline.readings] == ["Latent Diffusion"]


def test_exporting_a_new_title_over_one_with_a_long_run_of_blanks_is_quick(tmp_path):
    post = tmp_path / "S1.md"
    post.write_text("---\ntitle: a" + " " * 100_000 + "b\n---\n\n## Required Readings:\n", encoding="utf-8")
    db = str(tmp_path / "library.sqlite")
    assert annotator("--db", db, "import", str(post)).returncode == 0
    assert annotator("--db", db, "edit", "S1", "--title", "New").returncode == 0
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    subprocess.run([sys.executable, "-m", "annotator", "--db", db, "export", "S1", "--out", str(tmp_path / "out")],
                   cwd=ROOT, env=env, capture_output=True, timeout=5, check=True)
