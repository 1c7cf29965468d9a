"""A large, realistic-looking library made fast with direct SQL, for the GUI benchmark.

Undo triggers stay idle because no operation is capturing; the papers' search index is built once
after they are in, as quicker than row by row (sessions and notes are indexed by the usual triggers).
Deterministic: the same size gives the same library.
"""

from __future__ import annotations

import json
import random
import sqlite3
from pathlib import Path

from annotator.store.library import open_library

_TOPIC_WORDS = ["language", "model", "models", "large", "transformer", "transformers", "attention", "sparse", "dense", "retrieval", "augmented", "generation", "reasoning", "chain", "thought", "instruction", "tuning", "alignment", "preference", "optimization", "reward", "reinforcement", "learning", "human", "feedback", "safety", "jailbreak", "adversarial", "robustness", "watermark", "privacy", "federated", "diffusion", "image", "video", "audio", "speech", "vision", "multimodal", "embedding", "contrastive", "pretraining", "scaling", "laws", "efficient", "inference", "quantization", "pruning", "distillation", "mixture", "experts", "routing", "memory", "long", "context", "window", "positional", "encoding", "rotary", "tokenizer", "vocabulary", "benchmark", "evaluation", "agents", "tool", "use", "planning", "code", "synthesis", "program", "mathematical", "theorem", "proving", "graph", "neural", "network", "protein", "molecule", "drug", "discovery", "clinical", "medical", "legal", "financial", "domain", "adaptation", "continual", "catastrophic", "forgetting", "interpretability", "mechanistic", "circuits", "probing", "hallucination", "factuality", "calibration", "uncertainty", "bayesian", "causal", "inference", "counterfactual", "fairness", "bias", "toxicity", "multilingual", "translation", "summarization", "dialogue", "question", "answering", "knowledge", "editing", "unlearning"]

_GLUE_WORDS = ["we", "propose", "a", "an", "the", "of", "for", "with", "in", "on", "via", "towards", "beyond", "through", "using", "novel", "simple", "method", "approach", "framework", "study", "analysis", "results", "show", "that", "our", "outperforms", "baselines", "across", "tasks", "datasets", "experiments", "demonstrate", "significant", "improvements", "while", "reducing", "cost", "and", "this", "paper", "introduces", "new", "strong", "evidence", "state", "art", "performance", "at", "scale", "without", "additional", "training", "data"]

_FIRST_NAMES = ["Ada", "Alan", "Grace", "Yann", "Geoffrey", "Yoshua", "Fei", "Andrew", "Daphne", "Percy", "Chris", "Dan", "Tri", "Tom", "Jason", "Emily"]
_LAST_NAMES = ["Lovelace", "Turing", "Hopper", "LeCun", "Hinton", "Bengio", "Li", "Ng", "Koller", "Liang", "Manning", "Jurafsky", "Dao", "Brown", "Wei"]
TEAMS = [f"team-{n}" for n in range(1, 7)]


def _title(rng: random.Random) -> str:
    words = rng.sample(_TOPIC_WORDS, rng.randint(3, 7))
    words.insert(rng.randint(1, len(words) - 1), rng.choice(("for", "with", "via", "in", "of")))
    return " ".join(words).capitalize()


def _abstract(rng: random.Random) -> str:
    vocabulary = _TOPIC_WORDS + _GLUE_WORDS * 2
    return " ".join(rng.choices(vocabulary, k=rng.randint(40, 90))).capitalize() + "."


def _authors(rng: random.Random) -> str:
    return ", ".join(f"{rng.choice(_FIRST_NAMES)} {rng.choice(_LAST_NAMES)}" for _ in range(rng.randint(1, 5)))


def _insert_papers(conn: sqlite3.Connection, rng: random.Random, count: int) -> None:
    rows = []
    for n in range(count):
        title = _title(rng)
        arxiv = f"{2000 + n // 10000 % 100:04d}.{n % 10000:05d}" if n % 5 else None
        url = f"https://arxiv.org/abs/{arxiv}" if arxiv else ""
        rows.append((title, title.casefold(), url, arxiv, _authors(rng), _abstract(rng)))
    indexing = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'papers_ai'").fetchone()[0]
    conn.execute("DROP TRIGGER papers_ai")
    conn.executemany(
        "INSERT INTO papers (title, title_key, url, arxiv_id, authors, abstract) VALUES (?, ?, ?, ?, ?, ?)", rows
    )
    conn.execute(indexing)
    conn.execute("INSERT INTO papers_fts (papers_fts) VALUES ('rebuild')")


def _insert_sessions(conn: sqlite3.Connection, rng: random.Random, sessions: int, papers: int) -> None:
    courses = ["UVA-LLM-2024", "UVA-LLM-2025", "UVA-ML-2023", "UVA-DL-2022", "UVA-Safety-2026"]
    conn.executemany("INSERT INTO courses (name) VALUES (?)", [(c,) for c in courses])
    conn.executemany(
        "INSERT INTO teams (course_id, name, members) VALUES (?, ?, ?)",
        [(c, team, f"{_authors(rng)}") for c in range(1, len(courses) + 1) for team in TEAMS],
    )
    readings = []
    for n in range(sessions):
        course_id = n % len(courses) + 1
        week = n // len(courses)
        title = _title(rng)
        front = {"layout": "post", "title": title, "lecture": f"W{week}-deck", "lectureVersion": "current",
                 "extraContent": "", "notes": rng.choice(TEAMS), "video": rng.choice(TEAMS), "tags": ["BasicLLM"]}
        session_id = conn.execute(
            "INSERT INTO sessions (course_id, code, title, date, front_matter) VALUES (?, ?, ?, ?, ?)",
            (course_id, f"S{week // 20}-L{week % 20:02d}", title, f"2024-{1 + week % 12:02d}-{1 + week % 28:02d}",
             json.dumps(front)),
        ).lastrowid
        for position in range(1, rng.randint(4, 10)):
            notes = _abstract(rng) if rng.random() < 0.3 else ""
            readings.append((session_id, position, "Required Readings", rng.randint(1, papers),
                             rng.choice(TEAMS) if rng.random() < 0.6 else "", notes))
    conn.executemany(
        "INSERT INTO readings (session_id, position, section, paper_id, team, notes) VALUES (?, ?, ?, ?, ?, ?)",
        readings,
    )


def _insert_lists(conn: sqlite3.Connection, rng: random.Random, papers: int) -> None:
    for n in range(5):
        list_id = conn.execute("INSERT INTO paper_lists (name) VALUES (?)", (f"HF daily papers {n + 1}",)).lastrowid
        conn.executemany(
            "INSERT INTO paper_list_items (list_id, position, paper_id) VALUES (?, ?, ?)",
            [(list_id, i, pid) for i, pid in enumerate(rng.sample(range(1, papers + 1), 200), 1)],
        )


def make_library(path: Path, papers: int, sessions: int = 500, seed: int = 7) -> Path:
    """Create a fresh library at PATH with PAPERS papers and SESSIONS sessions; return PATH."""
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    rng = random.Random(seed)
    with open_library(path, daily_backup=False) as lib:
        conn = lib.conn
        conn.execute("PRAGMA synchronous = OFF")  # a throwaway file: no fsync needed
        conn.execute("PRAGMA cache_size = -400000")  # keep the big transaction in memory, not spilled
        conn.execute("BEGIN")
        _insert_papers(conn, rng, papers)
        _insert_sessions(conn, rng, sessions, papers)
        _insert_lists(conn, rng, papers)
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path
