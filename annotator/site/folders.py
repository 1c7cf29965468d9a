"""Where a Jekyll site keeps its posts: the folders `_config.yml` names, else the corpus's own.

Jekyll reads posts from `_posts/` and from each collection `_NAME/` that `collections:` declares
(a list of names or a mapping). Where `_config.yml` declares none, the folders the class's sites
use are taken: `_contents/`, `_sessions/` and `_posts/`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from annotator.errors import AnnotatorError
from annotator.store.import_writer import SITE_COLLECTIONS
from annotator.store.importing import IMPORTABLE_SUFFIXES

CONFIG = "_config.yml"


@dataclass(slots=True, frozen=True)
class SiteFolders:
    """A site's root and its post folders (relative names such as `_contents`), in the order they are looked at."""

    root: Path
    folders: tuple[str, ...]

    def posts(self) -> dict[str, str]:
        """Every post file's full path, by its path relative to the root (`_contents/S0-L16.md`); one listing per
        folder, and strings rather than Paths (status lists hundreds of posts on every call)."""
        found: dict[str, str] = {}
        for folder in self.folders:
            where = os.path.join(self.root, folder)
            try:
                with os.scandir(where) as entries:
                    listed = sorted((e.name, e.is_symlink()) for e in entries if e.is_file() and not e.name.startswith(".")
                                    and e.name.lower().endswith(IMPORTABLE_SUFFIXES))
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise AnnotatorError(exc.strerror or str(exc), self.root / folder) from None
            _inside(self.root, Path(where))
            for name, linked in listed:
                if linked:
                    _inside(self.root, Path(where, name))
                found[f"{folder}/{name}"] = os.path.join(where, name)
        _one_session_each(self.root, found)
        return found

    def new_post_folder(self) -> str:
        """Where a session made in the app goes: the first post folder that exists, else the first named."""
        for folder in self.folders:
            if (self.root / folder).is_dir():
                return folder
        return self.folders[0]


def _one_session_each(root: Path, posts: dict[str, str]) -> None:
    """Refuse two posts of one name in two post folders: a session is named by its file's name, so both
    would be one session, and each sync would import one over the other (losing its readings' notes)."""
    by_code: dict[str, list[str]] = {}
    for path in posts:
        by_code.setdefault(Path(path).stem, []).append(path)
    twice = {code: paths for code, paths in by_code.items() if len(paths) > 1}
    if twice:
        code, paths = next(iter(twice.items()))
        more = f" (and {len(twice) - 1} more such names)" if len(twice) > 1 else ""
        raise AnnotatorError(f"{' and '.join(paths)} would be one session, {code}{more}: rename one of them", root)


def _inside(root: Path, path: Path) -> None:
    """Refuse PATH when it is a link leading out of the site: a sync reads and writes only the site's own files
    (and must never open the library's, which a link could name: store/sharing.py)."""
    if not Path(os.path.realpath(path)).is_relative_to(root):
        raise AnnotatorError(f"a link to {os.path.realpath(path)}, outside the site; annotator reads and writes only "
                             "inside the site folder (replace the link by the folder or file itself)", path)


def site_folders(root: str | Path) -> SiteFolders:
    """ROOT's post folders; AnnotatorError when ROOT is not a Jekyll site or its `_config.yml` does not parse."""
    root = Path(root).resolve()
    config = root / CONFIG
    if not root.is_dir():
        raise AnnotatorError("no such folder", root)
    if not config.is_file():
        raise AnnotatorError(f"not a Jekyll site (it has no {CONFIG})", root)
    _inside(root, config)
    try:
        data = yaml.safe_load(config.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise AnnotatorError(f"bad YAML: {exc.problem or exc.context}", config, mark.line + 1 if mark else None) from None
    except (yaml.YAMLError, UnicodeDecodeError, OSError) as exc:
        raise AnnotatorError(f"cannot read it: {exc}".splitlines()[0], config) from None
    return SiteFolders(root, _declared(data, config) or SITE_COLLECTIONS)


def _declared(data: object, config: Path) -> tuple[str, ...]:
    """The post folders `collections:` declares, with `_posts` (empty when it declares none)."""
    if not isinstance(data, dict) or not data.get("collections"):
        return ()
    collections = data["collections"]
    if isinstance(collections, dict):
        names = list(collections)
    elif isinstance(collections, list):
        names = collections
    else:
        raise AnnotatorError("`collections:` should be a list of names or a mapping", config)
    folders = []
    for name in names:
        if not isinstance(name, str) or not name.strip() or "/" in name or name.strip() in (".", ".."):
            raise AnnotatorError(f"`collections:` names a collection {name!r} that is not a folder name", config)
        folders.append(f"_{name.strip()}")
    return tuple(dict.fromkeys([*folders, "_posts"]))
