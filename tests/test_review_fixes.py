"""Edits change only what they name, and the export preview shows only the lines that change."""

from __future__ import annotations

import pytest
import yaml

from annotator.cli import main
from annotator.errors import AnnotatorError
from annotator.formats.frontmatter import load_front_matter
from annotator.store.exporting import export_sessions
from annotator.store.importing import import_paths
from annotator.store.library import open_library

POST = ("---\n{layout: post, title: Old title, extra: {a: \"x\\Ny\", b: [1, 2]}}\n---\n\n## Readings\n\n"
        "- [A paper](https://arxiv.org/abs/2401.00001)\n\n<!--excerpt.start-->\n\nIntro\u2028still the intro.\n")


def test_editing_the_title_keeps_a_nested_value_holding_a_next_line_character(tmp_path):
    post = tmp_path / "S1.md"
    post.write_text(POST, encoding="utf-8")
    db = str(tmp_path / "library.sqlite")
    assert main(["--db", db, "import", str(post)]) == 0
    assert main(["--db", db, "edit", "S1", "--title", "New title"]) == 0
    out = tmp_path / "out"
    assert main(["--db", db, "export", "S1", "--out", str(out)]) == 0
    [written] = out.iterdir()
    front = yaml.safe_load(written.read_text(encoding="utf-8").split("---\n")[1])
    assert front["title"] == "New title"
    assert front["extra"] == {"a": "x\x85y", "b": [1, 2]}


def test_the_export_preview_diff_splits_lines_as_the_file_does(tmp_path):
    post = tmp_path / "S1.md"
    post.write_text(POST, encoding="utf-8")
    with open_library(tmp_path / "library.sqlite") as lib:
        import_paths(lib, [post])
        [session_id] = [row[0] for row in lib.conn.execute("SELECT id FROM sessions")]
        out = tmp_path / "out"
        export_sessions(lib.conn, [session_id], out)
        [written] = out.iterdir()
        written.write_text(written.read_text(encoding="utf-8").replace("Intro", "Changed on disk"), encoding="utf-8")
        [result] = export_sessions(lib.conn, [session_id], out, diff=True)
    changed = [line for line in result.diff.split("\n") if line[:1] in ("+", "-") and line[:3] not in ("+++", "---")]
    assert changed == ["-Changed on disk\u2028still the intro.", "+Intro\u2028still the intro."]


def test_an_alias_as_a_key_is_one_error_on_its_line():
    """`*b:` as a key could not be kept as written when the key defining `&b` is edited: refused, with its line."""
    text = "title:\n- x\n- &b y\n*b : |\n  block\n"  # (front matter starts on the post's line 2)
    with pytest.raises(AnnotatorError, match=r"S1.md: line 5: .*alias \(`\*name`\) as a key"):
        load_front_matter(text, "S1.md")
