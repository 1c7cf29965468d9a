"""The `annotator` command: the GUI by default, subcommands for scripts and tests."""

from __future__ import annotations

import argparse
import json
import math
import sqlite3
import sys
from pathlib import Path
from typing import Any, NoReturn

from annotator import __version__
from annotator.errors import AnnotatorError, readable


def _print_json(data: Any) -> None:
    print(readable(json.dumps(data, ensure_ascii=False, indent=2)))  # valid UTF-8 even for a file name that is not


def _print_rows(args: argparse.Namespace, rows: list[dict[str, Any]], columns: list[str], empty: str) -> None:
    """ROWS as JSON with --json, else as a table of COLUMNS (EMPTY when there are none)."""
    if args.json:
        _print_json(rows)
    else:
        _print_table(rows, columns, empty)


def _print_table(rows: list[dict[str, Any]], columns: list[str], empty: str) -> None:
    if not rows:
        print(empty)
        return
    cells = [[_cell(r.get(c, "")) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    widths = [min(w, 60) for w in widths]
    print("  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
    for row in cells:
        print("  ".join(v[:w].ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())


def _cell(value: Any) -> str:
    """VALUE on one line, as the post's YAML would write it: `null`, `true`, `false`, lists comma-separated."""
    if isinstance(value, list):
        return ", ".join(map(_cell, value))
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    return " ".join(str(value).split())


# Commands that only read open the library read-only: no backup, nothing created, every file left as it is.
READ_ONLY_COMMANDS = {"sessions", "show", "papers", "search", "export"}
# Commands that may start a new library where there is none; the others say "no library at PATH".
CREATING_COMMANDS = {"import", "new-session", "restore"}


def _open(args: argparse.Namespace):
    from annotator.store.library import open_library

    read_only = args.command in READ_ONLY_COMMANDS
    return open_library(args.db, create=args.command in CREATING_COMMANDS, read_only=read_only,
                        daily_backup=not read_only)


# --- read commands -----------------------------------------------------------------------------

def cmd_sessions(args: argparse.Namespace) -> int:
    from annotator.store import queries

    with _open(args) as lib:
        rows = queries.list_sessions(lib.conn)
    if args.course:
        rows = [r for r in rows if r["course"] == args.course]
    for r in rows:
        r.pop("row_id")
    _print_rows(args, rows, ["course", "id", "date", "readings", "title"], "no sessions yet: try `annotator import FILE`")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from annotator.store import queries

    with _open(args) as lib:
        detail = queries.session_detail(lib.conn, queries.resolve_session(lib.conn, args.session))
    if args.json:
        detail.pop("kind", None)
        _print_json(detail)
        return 0
    print(f"{detail['course']}/{detail['id']}  {detail['title']}")
    if detail["date"]:
        print(f"date: {detail['date']}")
    for key, value in detail["front_matter"].items():
        if key != "title":
            print(f"  {key}: {_cell(value)}")
    print()
    for r in detail["readings"]:
        print(f"{r['position']:>3}. {r['title']}")
        for label in ("url", "authors", "team"):
            if r[label]:
                print(f"       {label}: {r[label]}")
        for video in r["videos"]:
            print(f"       video: {video}")
        if r["notes"]:
            print(f"       notes: {_cell(r['notes'])[:100]}")
    return 0


def cmd_papers(args: argparse.Namespace) -> int:
    from annotator.store import queries

    with _open(args) as lib:
        rows = queries.list_papers(lib.conn)
    _print_rows(args, rows, ["id", "arxiv_id", "title", "sessions", "lists"], "no papers yet")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from annotator.store import queries

    with _open(args) as lib:
        found = queries.find(lib.conn, args.query, limit=args.limit)
    _print_rows(args, found.rows, ["type", "id", "title", "snippet"], f"nothing matches {args.query!r}")
    if found.note:  # on stderr: --json output stays JSON
        print(f"note: {found.note}", file=sys.stderr)
    if found.more:
        print(f"note: {found.more} more not shown (--limit {args.limit}); ask for more with --limit N", file=sys.stderr)
    return 0


# --- changing commands -------------------------------------------------------------------------

def cmd_undo(args: argparse.Namespace) -> int:
    from annotator.store import operations

    with _open(args) as lib:
        step = operations.undo(lib) if args.command == "undo" else operations.redo(lib)
    if step is None:
        print(f"nothing to {args.command}")
    else:
        print(f"{args.command}: {step.label}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from annotator.store.importing import import_paths

    with _open(args) as lib:
        results, _ = import_paths(lib, args.paths, args.course, args.recursive)
    failed = sum(1 for r in results if r.error)
    if args.json:
        _print_json({"files": [r.as_json() for r in results], "failed": failed})
    else:
        for r in results:
            if r.error:
                print(f"error: {r.error}", file=sys.stderr)
            else:
                target = r.session or f"list {r.list}"
                print(f"{r.path}: {r.kind} -> {target}: {r.readings} readings, "
                      f"{r.papers_new} new papers, {r.papers_existing} already known")
        print(f"imported {len(results) - failed} of {len(results)} files, {failed} failed")
    return 1 if failed else 0


def cmd_export(args: argparse.Namespace) -> int:
    from annotator.store import queries
    from annotator.store.exporting import export_sessions

    with _open(args) as lib:
        if args.all or args.course:
            rows = queries.list_sessions(lib.conn)
            ids = [r["row_id"] for r in rows if not args.course or r["course"] == args.course]
            if args.course and not ids:
                raise AnnotatorError(f"no course {args.course!r} (or it has no sessions)")
        elif args.sessions:
            ids = [queries.resolve_session(lib.conn, ref) for ref in args.sessions]
        else:
            raise AnnotatorError("say what to export: SESSION..., --all or --course NAME")
        results = export_sessions(lib.conn, ids, args.out, dry_run=args.dry_run, diff=args.diff)
    if args.json:
        _print_json([r.as_json() for r in results])
    elif args.diff:
        sys.stdout.write("".join(r.diff for r in results))
    else:
        for r in results:
            print(f"{r.status:9}  {r.path}")
    return 0


def _pick_reading(conn: sqlite3.Connection, session_id: int, which: str) -> int:
    from annotator.formats.papers import title_key
    from annotator.store.queries import session_readings

    readings = session_readings(conn, session_id)
    if which.isdigit():
        number = int(which)
        if not 1 <= number <= len(readings):
            raise AnnotatorError(f"no reading {number}: the session has {len(readings)}")
        return readings[number - 1]["reading_id"]
    key = title_key(which)
    exact = [r for r in readings if title_key(r["title"]) == key]
    partial = exact or [r for r in readings if key and key in title_key(r["title"])]
    if len(partial) != 1:
        raise AnnotatorError(f"{'no' if not partial else 'more than one'} reading matches {which!r}")
    return partial[0]["reading_id"]


def _like(old: Any, text: str) -> Any:
    """TEXT as a value of OLD's type: a list (tags) takes comma-separated items; a boolean or
    number stays one when TEXT reads as one (`comments=false`, `LOrder=3`); anything else is text."""
    if isinstance(old, list):
        return [v.strip() for v in text.split(",") if v.strip()]
    if isinstance(old, bool):
        lowered = text.strip().lower()
        return {"true": True, "false": False}.get(lowered, text)
    if isinstance(old, (int, float)):
        for kind in (int, float):
            try:
                number = kind(text.strip())
            except ValueError:
                continue
            if math.isfinite(number):  # `nan` and `inf` stay text: JSON has no such numbers
                return number
    return text


def _front_matter_updates(conn: sqlite3.Connection, session_id: int, sets: list[str], unsets: list[str]) -> dict[str, Any]:
    current = json.loads(conn.execute("SELECT front_matter FROM sessions WHERE id = ?", (session_id,)).fetchone()[0])
    updates: dict[str, Any] = {}
    for item in sets:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise AnnotatorError(f"--set takes KEY=VALUE, not {item!r}")
        key = key.strip()
        updates[key] = _like(current.get(key), value)
    for key in unsets:
        if key not in current:
            raise AnnotatorError(f"the session has no front-matter key {key!r}")
        updates[key] = None
    return updates


def cmd_edit(args: argparse.Namespace) -> int:
    from annotator.store import editing, queries

    notes = args.notes
    if args.notes_file:
        try:
            notes = Path(args.notes_file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise AnnotatorError(f"cannot read notes: {exc}", args.notes_file) from None
    reading_edit = notes is not None or args.team is not None or args.add_video or args.remove_video
    session_edit = args.set or args.unset or args.title is not None or args.date is not None
    if not (reading_edit or session_edit):
        raise AnnotatorError("nothing to change: give --notes, --team, --add-video, --set, --title, …")
    with _open(args) as lib:
        session_id = queries.resolve_session(lib.conn, args.session)
        if reading_edit:
            if not args.reading:
                raise AnnotatorError("--notes, --team and videos need --reading N|TITLE")
            if session_edit:
                raise AnnotatorError("edit the reading and the session in two commands (each is one undo step)")
            reading_id = _pick_reading(lib.conn, session_id, args.reading)
            editing.edit_reading(lib, reading_id, notes=notes, team=args.team,
                                 add_videos=args.add_video, remove_videos=args.remove_video)
        else:
            updates = _front_matter_updates(lib.conn, session_id, args.set, args.unset)
            editing.edit_session(lib, session_id, title=args.title, date=args.date, front_matter=updates)
    print(f"edited {args.session}")
    return 0


def cmd_new_session(args: argparse.Namespace) -> int:
    from annotator.store import editing

    course, sep, code = args.ref.rpartition("/")
    if not sep or not course:
        raise AnnotatorError(f"name the new session COURSE/ID, not {args.ref!r}")
    with _open(args) as lib:
        editing.new_session(lib, course, code, args.title, args.date or "")
    print(f"created {args.ref}")
    return 0


def cmd_readings(args: argparse.Namespace) -> int:
    from annotator.formats.model import Paper
    from annotator.store import editing, queries

    with _open(args) as lib:
        session_id = queries.resolve_session(lib.conn, args.session)
        if args.command == "add-reading":
            if args.paper is None and not (args.title or args.url):
                raise AnnotatorError("give --paper PAPER-ID, or --title (and --url)")
            paper = None if args.paper is not None else Paper(args.title or args.url, args.url or "")
            editing.add_reading(lib, session_id, paper_id=args.paper, paper=paper, position=args.position)
        elif args.command == "remove-reading":
            editing.remove_reading(lib, _pick_reading(lib.conn, session_id, args.reading))
        elif args.command == "move-reading":
            editing.move_reading(lib, _pick_reading(lib.conn, session_id, args.reading), args.to)
        else:
            editing.delete_session(lib, session_id)
    print(f"{args.command}: done")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from annotator.store import backups, restoring

    with _open(args) as lib:
        if args.command == "restore":
            dest = restoring.restore_backup(lib, Path(args.file))
            print(f"restored {args.file} (the library before it is in {dest})")
            return 0
        if args.keep is not None:
            backups.set_keep_count(lib.conn, args.keep)
        dest = backups.make_backup(lib.conn, lib.path, "manual")
    print(f"backup written: {dest}")
    return 0


def cmd_gui(args: argparse.Namespace) -> int:
    from annotator.ui.launch import display_problem

    problem = display_problem()
    if problem:
        raise AnnotatorError(problem)
    from annotator.ui.app import run_app

    return run_app(args.db)


class OneLineErrorParser(argparse.ArgumentParser):
    """argparse, but a mistake is one `error: …` line and exit 1, like every other mistake (not usage and exit 2)."""

    def error(self, message: str) -> NoReturn:
        hint = f"; see `{self.prog} --help`"
        if message.startswith("argument --") and "expected one argument" in message:
            option = message.split()[1].rstrip(":").split("/")[-1]
            hint = f"; for a value that starts with a dash, write {option}=VALUE"
        print(f"error: {message}{hint}", file=sys.stderr)
        sys.exit(1)


def _positive(text: str) -> int:
    """An argument that must be a whole number of 1 or more."""
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    """The argparse parser for every subcommand."""
    from annotator.lookup_cli import add_lookup_command
    from annotator.site_cli import add_site_commands

    parser = OneLineErrorParser(
        prog="annotator",
        description="Prepare reading-group sessions; with no command, open the app.",
    )
    parser.add_argument("--version", action="version", version=f"annotator {__version__}")
    parser.add_argument("--db", metavar="PATH", help="library file (default: ANNOTATOR_DB, else the user data folder)")
    parser.set_defaults(func=cmd_gui, command=None)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineErrorParser)

    def command(name: str, func, help: str, json_flag: bool = True) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        p.set_defaults(func=func)
        if json_flag:
            p.add_argument("--json", action="store_true", help="print JSON")
        return p

    p = command("sessions", cmd_sessions, "list sessions")
    p.add_argument("--course", help="only this course")
    command("show", cmd_show, "show one session with its readings").add_argument(
        "session", help="ID, or COURSE/ID when the id is in several courses")
    command("papers", cmd_papers, "list every paper with its sessions and lists")
    search = command("search", cmd_search, "full-text search over papers, sessions and notes")
    search.add_argument("query")
    search.add_argument("--limit", type=_positive, default=100, metavar="N", help="show at most N hits (default 100)")
    command("undo", cmd_undo, "undo the last change to the library", json_flag=False)
    command("redo", cmd_undo, "redo the last undone change", json_flag=False)

    p = command("import", cmd_import, "import session posts, lecture pages, paper lists, slide outlines")
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (.md, .markdown, .txt)")
    p.add_argument("--course", help="course name (default: the site folder, else the parent folder)")
    p.add_argument("--recursive", action="store_true", help="look into sub-folders")

    p = command("export", cmd_export, "write sessions as Jekyll posts into a folder")
    p.add_argument("sessions", nargs="*", metavar="SESSION")
    p.add_argument("--all", action="store_true", help="every session")
    p.add_argument("--course", help="every session of this course")
    p.add_argument("--out", required=True, metavar="DIR", help="target folder (e.g. the site's _contents)")
    p.add_argument("--dry-run", action="store_true", help="report created/updated/unchanged, write nothing")
    p.add_argument("--diff", action="store_true", help="print a unified diff against the folder, write nothing")

    p = command("edit", cmd_edit, "change a session's front matter or a reading's notes, team, videos", False)
    p.add_argument("session")
    p.add_argument("--reading", metavar="N|TITLE", help="which reading (position from 1, or title)")
    notes = p.add_mutually_exclusive_group()
    notes.add_argument("--notes", metavar="TEXT", help="the reading's notes (Markdown)")
    notes.add_argument("--notes-file", metavar="F", help="read the notes from file F")
    p.add_argument("--team", help="the team assigned to the reading ('' clears it)")
    p.add_argument("--add-video", action="append", default=[], metavar="URL")
    p.add_argument("--remove-video", action="append", default=[], metavar="URL")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="set a front-matter key")
    p.add_argument("--unset", action="append", default=[], metavar="KEY", help="remove a front-matter key")
    p.add_argument("--title")
    p.add_argument("--date", metavar="YYYY-MM-DD")

    p = command("new-session", cmd_new_session, "create an empty session", False)
    p.add_argument("ref", metavar="COURSE/ID")
    p.add_argument("--title", required=True)
    p.add_argument("--date", metavar="YYYY-MM-DD")

    p = command("add-reading", cmd_readings, "add a reading to a session", False)
    p.add_argument("session")
    p.add_argument("--paper", type=int, metavar="PAPER-ID", help="a paper of the library (see `papers`)")
    p.add_argument("--title")
    p.add_argument("--url")
    p.add_argument("--position", type=int, metavar="N")
    p = command("remove-reading", cmd_readings, "remove a reading from a session", False)
    p.add_argument("session")
    p.add_argument("--reading", required=True, metavar="N|TITLE")
    p = command("move-reading", cmd_readings, "move a reading to another position", False)
    p.add_argument("session")
    p.add_argument("--reading", required=True, metavar="N|TITLE")
    p.add_argument("--to", type=int, required=True, metavar="N")
    command("delete-session", cmd_readings, "delete a session (undoable)", False).add_argument("session")

    p = command("backup", cmd_backup, "write a verified backup of the library now", False)
    p.add_argument("--keep", type=int, metavar="N", help="keep the last N backups from now on")
    command("restore", cmd_backup, "replace the library with a backup (backing up the current one first)",
            False).add_argument("file")
    add_lookup_command(command)
    add_site_commands(command)
    return parser


def _library_path(args: argparse.Namespace) -> str:
    from annotator.store.library import default_library_path

    return str(args.db or default_library_path())


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `annotator` console script."""
    for stream in (sys.stdout, sys.stderr):  # a file name that is not UTF-8 is printed as it is on disk, as ls does
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="surrogateescape")
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except AnnotatorError as exc:
        print(f"error: {exc}", file=sys.stderr)
    except sqlite3.DatabaseError as exc:
        from annotator.store.library import database_problem

        print(f"error: {_library_path(args)}: {database_problem(exc, Path(_library_path(args)))}", file=sys.stderr)
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
    except BrokenPipeError:
        return 0
    return 1
