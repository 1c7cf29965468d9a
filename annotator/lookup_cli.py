"""`annotator lookup`: find papers of the library on arXiv, and with --apply fill in what was found."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from annotator.errors import AnnotatorError

Command = Callable[..., argparse.ArgumentParser]
_STATUS_WORDS = {"match": "found", "ambiguous": "ambiguous", "not_found": "not found"}


def _papers(conn: Any, args: argparse.Namespace) -> list[int]:
    """The papers to look up: the one asked for, or those of a session, a list or the library that lack a link."""
    from annotator.store.lookups import papers_missing_links
    from annotator.store.queries import resolve_session

    if args.paper is not None:
        if conn.execute("SELECT 1 FROM papers WHERE id = ?", (args.paper,)).fetchone() is None:
            raise AnnotatorError(f"no paper {args.paper} in the library (see `annotator papers`)")
        return [args.paper]
    if args.session is not None:
        return papers_missing_links(conn, session_id=resolve_session(conn, args.session))
    if args.list is not None:
        row = conn.execute("SELECT id FROM paper_lists WHERE name = ?", (args.list,)).fetchone()
        if row is None:
            raise AnnotatorError(f"no paper list {args.list!r} in the library")
        return papers_missing_links(conn, list_id=row[0])
    return papers_missing_links(conn)


def _print_result(result: Any) -> None:
    """One line per paper, and its candidates under an ambiguous one."""
    word = _STATUS_WORDS[result.status]
    where = f"  ->  {result.entry.abs_url}" if result.entry else ""
    print(f"{word:<10} {result.paper_id:>6}  {' '.join(result.title.split())}{where}")
    if result.duplicate_of is not None:
        print(f"{'':<18}paper {result.duplicate_of} already has this arXiv id: --apply merges the two")
    if result.status == "ambiguous":
        for entry in result.candidates:
            print(f"{'':<18}? {entry.arxiv_id}  {entry.title} ({entry.first_authors(3)}, {entry.year})")


def cmd_lookup(args: argparse.Namespace) -> int:
    from annotator.arxiv import ArxivClient
    from annotator.cli import _open, _print_json
    from annotator.store.arxiv_cache import remember
    from annotator.store.lookups import apply_lookups, look_up

    client = ArxivClient()
    with _open(args) as lib:
        paper_ids = _papers(lib.conn, args)
        results = []
        if not args.json and len(paper_ids) > 1:
            minutes = len(paper_ids) * client.min_interval / 60
            print(f"looking up {len(paper_ids)} papers on arXiv, one request every {client.min_interval:g} s at most"
                  + (f" (about {minutes:.0f} min unless arXiv's answers are cached)" if minutes >= 1 else ""), flush=True)
        try:
            for paper_id in paper_ids:
                result = look_up(lib.conn, client, paper_id)
                results.append(result)
                if not args.json:
                    _print_result(result)
                    sys.stdout.flush()  # (one line per paper as it comes: a batch takes minutes)
        finally:  # arXiv's answers so far are kept even when it stops answering: asking again costs nothing
            remember(lib, [answer for result in results for answer in result.fetched])
        chosen = [(r.paper_id, r.entry) for r in results if r.entry is not None]
        summary = None
        if args.apply and chosen:
            _, summary = apply_lookups(lib, chosen, overwrite=args.overwrite, merge=not args.no_merge)
    counts = {word: sum(r.status == status for r in results) for status, word in _STATUS_WORDS.items()}
    if args.json:
        _print_json({"results": [r.as_json() for r in results], "applied": summary.as_json() if summary else None})
        return 0
    line = ", ".join(f"{count} {word}" for word, count in counts.items())
    if not results:
        print("no paper to look up: every one has its link")
    elif summary is not None:
        merged = f", {len(summary.merged)} merged into the paper that had its arXiv id" if summary.merged else ""
        print(f"{line}; filled in {summary.changed} paper{'s' if summary.changed != 1 else ''} from arXiv{merged} "
              "(undo: annotator undo)")
    else:
        print(f"{line}; nothing changed" + ("; --apply fills in the ones found" if chosen else ""))
    return 0


def add_lookup_command(command: Command) -> None:
    """Register `lookup` with COMMAND (cli.build_parser's helper)."""
    p = command("lookup", cmd_lookup, "find papers on arXiv (those without a link, or one paper); --apply fills them in")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--paper", type=int, metavar="PAPER-ID", help="this paper (see `annotator papers`)")
    which.add_argument("--session", metavar="SESSION", help="the papers of this session that lack a link")
    which.add_argument("--list", metavar="NAME", help="the papers of this paper list that lack a link")
    which.add_argument("--all", action="store_true", help="every paper of the library that lacks a link")
    p.add_argument("--apply", action="store_true", help="fill in the papers found (one undoable step)")
    p.add_argument("--overwrite", action="store_true", help="with --apply, replace the link, authors and abstract a paper has")
    p.add_argument("--no-merge", action="store_true",
                   help="with --apply, leave a paper apart when another paper already has its arXiv id")
