"""Every parser, and detection, reads a file with a 1 MB line of any one kind of character quickly.

A regex whose quantifiers can share a run of characters tries every split of the run on a line
it does not match: quadratic, and 50 KB of blanks took 10 s. Each case runs in a child process
with a deadline (tests/timebox.py), so a hang fails its case instead of blocking the run. The
default run reads a 1 MB line of each character class in each format's commonest places; the
`slow` sweep puts each run after each marker prefix, in every place each format reads text.
"""

from __future__ import annotations

import pytest

from tests.timebox import Case, slow_cases

SECONDS = 2.0  # generous: the slowest case takes a tenth of that; a quadratic one, minutes
FRONT = "---\ntitle: T\n---\n"
PAPER = "**Paper:** [x](https://arxiv.org/abs/2401.00001)\n"
READINGS = FRONT + "\n## Required Readings:\n\n"
OUTLINE = "# T\nCourse\n20240125\n# Slide\n"

# One line of 1 MB of each: blanks, letters, digits, Markdown punctuation, non-ASCII, and marker prefixes repeated.
UNITS = [" ", "\t", "a", "7", "[", "(", "*", "`", "#", "-", "|", "<", "!", "\xa0", "\U0001f600",
         "[x](#)", "**Paper:**", "+ ", "- ["]
# Where each parser reads a line, with {LINE} where the long line goes. The first of each is the default run's.
PLACES = {
    "lecture_page": {
        "body": FRONT + PAPER + "{LINE}\n",
        "after a Paper: marker": FRONT + "**Paper:** {LINE}\n",
        "heading": FRONT + PAPER + "## {LINE}\n",
        "+ Team: line": FRONT + PAPER + "+ Team: a{LINE}b\n",
        "blog": FRONT + PAPER + "<!--excerpt.start-->\n## x\n{LINE}\n",
    },
    "slide_outline": {
        "slide": OUTLINE + "{LINE}\n",
        "title": "# a{LINE}b\n20240125\n",
        "header": "# T\n{LINE}\n20240125\n# Slide\n",
        "after a placeholder link": OUTLINE + "[x](#) CVPR{LINE}\n",
        "slide heading": OUTLINE + "## a{LINE}b\n[x](https://arxiv.org/abs/2401.00001)\n",
    },
    "session_post": {
        "reading": READINGS + "### Paper\n{LINE}\n  + https://arxiv.org/abs/2401.00001\n",
        "reading heading": READINGS + "### {LINE}\n  + https://arxiv.org/abs/2401.00001\n",
        "reading item": READINGS + "### Paper\n  + https://arxiv.org/abs/2401.00001\n  + {LINE}\n",
        "blog": READINGS + "### Paper\n  + https://arxiv.org/abs/2401.00001\n\n<!--excerpt.start-->\n\n## Paper\n{LINE}\n",
    },
    "paper_list": {
        "abstract": "Title one\n{LINE}\nTitle two\nAn abstract.\n",
        "title": "{LINE}\nAn abstract.\n",
    },
    "parse": {  # detection, then the parser it picks
        "front matter value": "---\ntitle: {LINE}\n---\n",
        "body": FRONT + "{LINE}\n",
        "no front matter": "{LINE}\n",
    },
}
# Runs between text, for regexes that look for the end of a text before trailing blanks or `#`s.
RUNS = [" ", "\t", "#", "*", "# ", "a "]
PREFIXES = ["# ", "## ", "**Paper:** ", "**paper", "+ ", "- ", "[", "x ", "+ Team: a", "1. ", "CVPR"]

def default_cases(parser: str) -> list[Case]:
    """A 1 MB line of each unit in the parser's first place, and of 100 KB in its other places (as telling: a
    quadratic regex takes minutes on either)."""
    first, *others = PLACES[parser].values()
    cases = [Case(parser, first, unit) for unit in UNITS]
    cases += [Case(parser, place, unit, 100_000) for place in others for unit in UNITS]
    return cases


def sweep_cases(parser: str) -> list[Case]:
    """Each unit and run, after each prefix, with and without text after it, in each of the parser's places."""
    cases = []
    for place in PLACES[parser].values():
        for unit in dict.fromkeys(UNITS + RUNS):
            for prefix in PREFIXES:
                for suffix in ("", "b"):
                    cases.append(Case(parser, place.replace("{LINE}", prefix + "{LINE}" + suffix), unit, 200_000))
    return cases


@pytest.mark.parametrize("parser", sorted(PLACES))
def test_a_1mb_line_of_any_kind_is_read_quickly(parser):
    assert [f"{case}: {problem}" for case, problem in slow_cases(default_cases(parser), SECONDS)] == []


@pytest.mark.slow
@pytest.mark.parametrize("parser", sorted(PLACES))
def test_every_run_after_every_marker_in_every_place_is_read_quickly(parser):
    assert [f"{case}: {problem}" for case, problem in slow_cases(sweep_cases(parser), SECONDS)] == []
