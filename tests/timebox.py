"""Parse generated texts in a child process, each within a deadline: a parse that hangs fails its case
instead of blocking the test run (Python cannot interrupt a regex running in C, so a thread would not do).

A case is (parser, template, unit, size): the text is TEMPLATE with `{LINE}` replaced by UNIT repeated
to SIZE characters, built in the child so that megabytes do not travel through the pipe. The child
runs the cases in order and reports each one; when a case overruns, the child is killed and a new one
goes on with the next case.
"""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_CHILD = r"""
import json, sys, time
from annotator.errors import AnnotatorError
from annotator.formats.detect import detect_kind, parse_text
from annotator.formats.hf_list import parse_paper_list
from annotator.formats.lecture_page import parse_lecture_page
from annotator.formats.session_post import parse_session_post
from annotator.formats.slide_outline import parse_slide_outline

PARSERS = {
    "detect": detect_kind,
    "parse": lambda text: parse_text(text, "f.md", "f"),
    "lecture_page": parse_lecture_page,
    "slide_outline": parse_slide_outline,
    "session_post": parse_session_post,
    "paper_list": lambda text: parse_paper_list(text, "list"),
}
print("ready", flush=True)
for line in sys.stdin:
    parser, template, unit, size = json.loads(line)
    text = template.replace("{LINE}", unit * (size // len(unit)))
    started = time.perf_counter()
    try:
        PARSERS[parser](text)
        problem = ""
    except AnnotatorError:
        problem = ""  # refusing the file, with file and line, is a fine answer
    except BaseException as exc:
        problem = f"raised {type(exc).__name__}: {str(exc)[:200]}"
    print(json.dumps([time.perf_counter() - started, problem]), flush=True)
"""


@dataclass(frozen=True)
class Case:
    """One generated file: TEMPLATE with `{LINE}` replaced by UNIT repeated to SIZE characters, given to PARSER."""

    parser: str
    template: str
    unit: str
    size: int = 1_000_000

    def __str__(self) -> str:
        return f"{self.parser}: {self.template!r} with {{LINE}} = {self.unit!r} x {self.size // len(self.unit):,}"


def _start() -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONIOENCODING="utf-8")
    child = subprocess.Popen([sys.executable, "-c", _CHILD], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             text=True, encoding="utf-8", cwd=ROOT, env=env)
    assert child.stdout is not None and child.stdout.readline() == "ready\n", "the parse child did not start"
    return child


def _answer(child: subprocess.Popen[str], seconds: float) -> str | None:
    """The child's next line, or None when it gives none within SECONDS."""
    assert child.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(child.stdout, selectors.EVENT_READ)
        if not selector.select(timeout=seconds):
            return None
    return child.stdout.readline()


def slow_cases(cases: list[Case], seconds: float) -> list[tuple[Case, str]]:
    """Each case that did not finish within SECONDS (or raised something else than AnnotatorError), and what it did."""
    problems: list[tuple[Case, str]] = []
    child = _start()
    try:
        for case in cases:
            assert child.stdin is not None
            child.stdin.write(json.dumps([case.parser, case.template, case.unit, case.size]) + "\n")
            child.stdin.flush()
            started = time.monotonic()
            answer = _answer(child, seconds)
            if answer is None:
                problems.append((case, f"still parsing after {time.monotonic() - started:.1f} s"))
                child.kill()
                child.wait()
                child = _start()
                continue
            if not answer:
                problems.append((case, "the parse process died"))
                child = _start()
                continue
            elapsed, problem = json.loads(answer)
            if problem:
                problems.append((case, problem))
            elif elapsed > seconds:
                problems.append((case, f"took {elapsed:.1f} s"))
    finally:
        child.kill()
        child.wait()
    return problems
