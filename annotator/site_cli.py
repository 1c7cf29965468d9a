"""`annotator site link|unlink|status|sync|resolve`: the command line of the site sync (annotator/site)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

Command = Callable[..., argparse.ArgumentParser]


def _open(args: argparse.Namespace):
    from annotator.store.library import open_library

    read_only = args.site_command == "status"
    return open_library(args.db, create=args.site_command == "link", read_only=read_only, daily_backup=not read_only)


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def cmd_link(args: argparse.Namespace) -> int:
    from annotator.site.link import link_site

    with _open(args) as lib:
        _, results = link_site(lib, args.course, args.path)
    failed = [r for r in results if r.error]
    for r in failed:
        print(f"error: {r.error}", file=sys.stderr)
    print(f"linked {args.course} to {args.path}: {len(results) - len(failed)} posts imported, {len(failed)} failed")
    return 1 if failed else 0


def cmd_unlink(args: argparse.Namespace) -> int:
    from annotator.site.links import unlink

    with _open(args) as lib:
        unlink(lib, args.course)
    print(f"unlinked {args.course} (its sessions stay in the library)")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from annotator.site.links import linked_course
    from annotator.site.status import IN_SYNC, site_status

    with _open(args) as lib:
        status = site_status(lib.conn, linked_course(lib.conn, args.course))
    if args.json:
        _print_json(status.as_json())
        return 0
    print(f"{status.link.course}: {status.link.folder}")
    git = status.git
    if git:
        where = f"{git.branch or '(detached)'}" + (f", {git.ahead} ahead and {git.behind} behind {git.upstream}"
                                                   if git.upstream else ", no upstream")
        print(f"git: {where}")
        for path in git.others:
            print(f"uncommitted change not made by annotator: {path}")
    elif status.git_skipped:
        print(status.git_skipped)
    changed = [p for p in status.posts if p.state != IN_SYNC]
    for post in changed:
        print(f"{post.state:22}  {post.code}  {post.path}")
    print(f"{len(status.posts) - len(changed)} of {len(status.posts)} sessions in sync")
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    from annotator.site.sync import sync_site

    with _open(args) as lib:
        report = sync_site(lib, args.course, pull=args.pull, commit=args.commit, push=args.push, dry_run=args.dry_run)
    return _report(args, report)


def cmd_resolve(args: argparse.Namespace) -> int:
    from annotator.site.sync import resolve

    with _open(args) as lib:
        report = resolve(lib, args.session, "mine" if args.mine else "theirs", args.reading, args.key)
    return _report(args, report)


def _report(args: argparse.Namespace, report) -> int:
    """Print a sync's outcome; exit 1 when a session has a conflict or failed."""
    if args.json:
        _print_json(report.as_json())
    else:
        if report.git_skipped and (getattr(args, "pull", False) or getattr(args, "commit", False)
                                   or getattr(args, "push", False)):
            print(report.git_skipped)
        if report.pulled and report.pulled.paths:
            print(f"pulled: {len(report.pulled.paths)} files changed upstream")
        verb = "would be " if report.dry_run else ""
        if not report.outcomes:
            print("nothing to sync: every session is in sync")
        for outcome in report.outcomes:
            print(f"{outcome.code}: {verb}{outcome.action} ({outcome.state})" + (f": {outcome.error}" if outcome.error else ""))
            sys.stdout.write(outcome.diff)
            for c in outcome.conflicts:
                print(f"  conflict: {c.what}\n    mine:   {_value(c.mine)}\n    theirs: {_value(c.theirs)}")
        if report.conflicts:
            print("resolve with `annotator site resolve SESSION --mine` or `--theirs` "
                  "(optionally --reading N|TITLE or --key KEY)")
        if report.commit:
            print(f"committed {report.commit[:10]}: {report.message.splitlines()[0]}")
        for path in report.left_to_commit:
            print(f"not committed: {path} holds edits of yours too; review it and commit it yourself")
        if report.pushed:
            print("pushed" if report.pushed.pushed else "the remote already had every commit")
            if report.pushed.compare_url:
                print(f"open a pull request: {report.pushed.compare_url}")
    for outcome in report.failed:
        print(f"error: {outcome.error}", file=sys.stderr)
    return 1 if report.conflicts or report.failed else 0


def _value(value: str | None) -> str:
    if value is None:
        return "(not there)"
    return value.replace("\n", "\n            ") if value else "(empty)"


def add_site_commands(command: Command) -> None:
    """Register `site` and its subcommands with COMMAND (cli.build_parser's helper)."""
    from annotator.cli import OneLineErrorParser

    site = command("site", None, "link a course to its Jekyll site (a git clone) and sync with it", False)
    sub = site.add_subparsers(dest="site_command", metavar="SITE_COMMAND", required=True, parser_class=OneLineErrorParser)

    def sub_command(name: str, func: Callable[[argparse.Namespace], int], help: str, json_flag: bool) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        p.set_defaults(func=func)
        if json_flag:
            p.add_argument("--json", action="store_true", help="print JSON")
        return p

    p = sub_command("link", cmd_link, "import every post of a Jekyll site and remember the folder for the course", False)
    p.add_argument("course", metavar="COURSE")
    p.add_argument("path", metavar="PATH", help="the site's folder (it has _config.yml)")
    sub_command("unlink", cmd_unlink, "forget a course's site folder", False).add_argument("course", metavar="COURSE")
    sub_command("status", cmd_status, "which side changed each session, and the git state", True).add_argument(
        "course", metavar="COURSE", nargs="?")
    p = sub_command("sync", cmd_sync, "bring the library and the site together", True)
    p.add_argument("course", metavar="COURSE", nargs="?")
    p.add_argument("--pull", action="store_true", help="first fetch and bring in the upstream")
    p.add_argument("--commit", action="store_true", help="commit the posts annotator wrote")
    p.add_argument("--push", action="store_true", help="push to the branch's upstream")
    p.add_argument("--dry-run", action="store_true", help="say what would be done, change nothing")
    p = sub_command("resolve", cmd_resolve, "resolve a session's sync conflicts and finish its sync", True)
    p.add_argument("session", metavar="SESSION")
    side = p.add_mutually_exclusive_group(required=True)
    side.add_argument("--mine", action="store_true", help="keep the library's value")
    side.add_argument("--theirs", action="store_true", help="take the site's value")
    p.add_argument("--reading", metavar="N|TITLE", help="only this reading's conflicts")
    p.add_argument("--key", metavar="KEY", help="only this front-matter key's conflict")

