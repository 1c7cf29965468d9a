"""Large and hostile files, generated here: each imports or fails cleanly, never hangs, leaves nothing behind."""

from __future__ import annotations

import pytest

from annotator.store import queries
from annotator.store.importing import import_paths
from tests.hang_guard import finishes_within
from tests.store_helpers import dump

FRONT = "---\nlayout: post\ntitle: {title}\n{extra}---\n\nIn this session, our readings cover: \n\n## Required Readings: \n\n"


def post(title: str = "Hostile", extra: str = "", body: str = "") -> str:
    return FRONT.format(title=title, extra=extra) + body


def readings(count: int) -> str:
    return "".join(f"### Paper number {n}\n  + https://arxiv.org/abs/2401.{n:05d}\n  + Abstract {n}.\n\n"
                   for n in range(count))


CASES = {
    "front_matter_100k_lines": (post(extra="".join(f"key{n}: value {n}\n" for n in range(100_000))), None),
    "deep_block_nesting": (post(extra="deep:\n" + "".join("  " * n + f"k{n}:\n" for n in range(1, 200))), "nested too deeply"),
    "long_line_5mb": (post(title="x" * 5_000_000), None),
    "long_body_line": (post(body="### " + "word " * 1_000_000 + "\n  + https://arxiv.org/abs/2401.00001\n"), None),
    "ten_thousand_readings": (post(body=readings(10_000)), None),
    "only_dashes": ("---\n" * 50_000, None),
    "many_headings_no_urls": (post(body="### Heading\n" * 50_000), None),
    "unbalanced_brackets": (post(body="+ [" * 100_000 + "\n"), None),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_file_imports_or_fails_cleanly_and_never_hangs(lib, tmp_path, name):
    text, error = CASES[name]
    path = tmp_path / f"{name}.md"
    path.write_text(text, encoding="utf-8")
    before = dump(lib)
    [result], _ = finishes_within(30, lambda: import_paths(lib, [path]))  # each takes a second or two
    if error:
        assert error in result.error and result.error.startswith(str(path))
        assert dump(lib) == before
    else:
        assert result.error == ""


def test_ten_thousand_readings_all_arrive(lib, tmp_path):
    path = tmp_path / "S1.md"
    path.write_text(post(body=readings(10_000)), encoding="utf-8")
    [result], _ = import_paths(lib, [path])
    assert result.readings == 10_000
    detail = queries.session_detail(lib.conn, queries.resolve_session(lib.conn, "S1"))
    assert detail["readings"][-1]["arxiv_id"] == "2401.09999"
