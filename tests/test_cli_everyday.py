"""The command line as people use it every day (issue 16): hits cut by --limit are counted, `c++` is
a word, YAML's own words in `show`, and a folder whose files sit in subfolders says how to take them."""

from __future__ import annotations

import json

import pytest

from annotator.cli import main
from annotator.formats.model import Paper
from annotator.store import editing
from annotator.store.library import open_library


def library_with(tmp_path, titles: list[str]) -> str:
    """A library whose one session has a reading for each of TITLES."""
    path = tmp_path / "library.sqlite"
    with open_library(path) as lib:
        _, session_id = editing.new_session(lib, "Course", "S1", "Models", "2024-01-10")
        for title in titles:
            editing.add_reading(lib, session_id, paper=Paper(title))
    return str(path)


def test_search_says_how_many_hits_the_limit_left_out(tmp_path, capsys):
    db = library_with(tmp_path, [f"Language model study {n}" for n in range(12)])
    assert main(["--db", db, "search", "language", "--limit", "5"]) == 0
    out, err = capsys.readouterr()
    assert len(out.strip().split("\n")) == 1 + 5  # the header and five hits
    assert "note: 7 more not shown (--limit 5)" in err
    assert main(["--db", db, "search", "language"]) == 0
    assert "more not shown" not in capsys.readouterr().err


def test_a_limit_that_is_not_a_whole_number_is_one_line(tmp_path, capsys):
    db = library_with(tmp_path, ["Anything"])
    with pytest.raises(SystemExit) as exit_:
        main(["--db", db, "search", "x", "--limit", "0"])
    assert exit_.value.code == 1
    assert capsys.readouterr().err.strip().split("\n") == [
        "error: argument --limit: '0' is not a whole number of 1 or more; see `annotator search --help`"]


def test_c_plus_plus_and_c_sharp_are_words_not_every_word_starting_with_c(tmp_path, capsys):
    db = library_with(tmp_path, ["Compilers in C++ today", "Cats and caching", "Writing C# services"])
    assert main(["--db", db, "search", "c++", "--json"]) == 0
    titles = {hit["title"] for hit in json.loads(capsys.readouterr().out)}
    assert titles == {"Compilers in C++ today", "Writing C# services"}  # the tokenizer reads both as `c`
    assert main(["--db", db, "search", "ca", "--json"]) == 0  # a last word still typing stays a prefix
    assert {hit["title"] for hit in json.loads(capsys.readouterr().out)} == {"Cats and caching"}


def test_show_prints_yaml_words_not_python_ones(tmp_path, capsys):
    post = tmp_path / "_posts" / "S1.md"
    post.parent.mkdir()
    post.write_text("---\ntitle: One\ndraft: false\npublished: true\nextraContent:\n---\n\n## Readings\n", encoding="utf-8")
    db = str(tmp_path / "library.sqlite")
    assert main(["--db", db, "import", str(post)]) == 0
    capsys.readouterr()
    assert main(["--db", db, "show", "S1"]) == 0
    out = capsys.readouterr().out
    assert "  draft: false\n" in out and "  published: true\n" in out and "  extraContent: null\n" in out
    assert "None" not in out and "False" not in out and "True" not in out


def test_a_folder_whose_files_are_in_subfolders_says_to_add_recursive(tmp_path, capsys):
    folder = tmp_path / "site"
    (folder / "_posts").mkdir(parents=True)
    (folder / "_posts" / "S1.md").write_text("---\ntitle: One\n---\n\n## Readings\n", encoding="utf-8")
    assert main(["--db", str(tmp_path / "library.sqlite"), "import", str(folder)]) == 1
    err = capsys.readouterr().err
    assert err.strip() == (f"error: {folder}: no .md, .markdown or .txt files here; its subfolders hold 1, "
                           "which were skipped (add --recursive to import them)")
