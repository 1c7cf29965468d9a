"""Generated inputs for the benchmarks: paper lists and session posts of any size, reproducibly."""

from __future__ import annotations

import random
from pathlib import Path

WORDS = ["language", "model", "agent", "reasoning", "retrieval", "diffusion", "transformer", "alignment", "safety", "benchmark", "vision", "multimodal", "instruction", "tuning", "scaling", "memory", "planning", "tool", "evaluation", "robustness", "efficient", "sparse", "attention", "graph", "protein", "music", "video", "code", "math", "preference", "reward", "policy", "distillation", "quantization"]


def _title(rng: random.Random, number: int) -> str:
    words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 9))).capitalize()
    return f"{words} {number}"


def _abstract(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(60, 140))).capitalize() + "."


def paper_list_text(count: int, seed: int = 1) -> str:
    """A Hugging Face Papers copy with COUNT papers (title line, abstract line)."""
    rng = random.Random(seed)
    lines = ["Get trending papers in your email inbox once a day!", "Get trending papers in your email inbox!", "Subscribe"]
    for number in range(count):
        lines += [_title(rng, number), _abstract(rng)]
    return "\n".join(lines) + "\n"


def session_post_text(number: int, readings: int, seed: int = 2) -> str:
    """A session post in the layout of seed 000 with READINGS readings with arXiv links."""
    rng = random.Random(seed * 100_003 + number)
    lines = ["---", "layout: post", f"title: Session {number} on {rng.choice(WORDS)} ", "lecture: S0-Intro",
             "lectureVersion: next", "extraContent: ", f"notes: team-{number % 6 + 1}",
             f"video: team-{(number + 3) % 6 + 1}", "tags:", f"- {rng.choice(WORDS).capitalize()}", "---", "",
             "In this session, our readings cover: ", "", "## Required Readings: ", ""]
    for index in range(readings):
        paper = number * readings + index
        lines += [f"### {_title(rng, paper)}", f"  + https://arxiv.org/abs/24{paper // 10000 % 100:02d}.{paper % 10000:05d}",
                  f"  + {_abstract(rng)}", ""]
    return "\n".join(lines)


def write_inputs(folder: Path, papers: int, posts: int, readings_per_post: int = 8) -> tuple[Path, Path]:
    """Write a paper list and POSTS posts under FOLDER; returns (list file, posts folder)."""
    folder.mkdir(parents=True, exist_ok=True)
    listing = folder / "generated-list.txt"
    listing.write_text(paper_list_text(papers), encoding="utf-8")
    posts_dir = folder / "_contents"
    posts_dir.mkdir(exist_ok=True)
    for number in range(posts):
        (posts_dir / f"S{number:04d}.md").write_text(session_post_text(number, readings_per_post), encoding="utf-8")
    return listing, posts_dir
