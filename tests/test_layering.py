"""The layers: formats is pure text <-> dataclasses, store is the library (no Qt), site is the course site's
work tree (no Qt), ui is Qt over them (no SQL)."""

import ast
import re
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "annotator"
SQL = re.compile(r"\.execute\w*\(|\b(SELECT|INSERT\s+INTO|DELETE\s+FROM|UPDATE|PRAGMA)\b")


def imported_modules(path: Path) -> set[str]:
    """Every module PATH imports, anywhere in the file (under `if TYPE_CHECKING:` too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


def imports_of(package: str, forbidden: tuple[str, ...]) -> list[str]:
    """`module: name` for each import in annotator/PACKAGE of a FORBIDDEN module or one inside it."""
    return sorted(f"{path.name}: {name}" for path in (PACKAGE / package).glob("*.py")
                  for name in imported_modules(path) if name in forbidden or name.startswith(tuple(f + "." for f in forbidden)))


def test_core_packages_never_import_qt():
    code = (
        "import sys, pkgutil, importlib, annotator.arxiv, annotator.formats, annotator.store, annotator.site\n"
        "for pkg in (annotator.arxiv, annotator.formats, annotator.store, annotator.site):\n"
        "    for mod in pkgutil.iter_modules(pkg.__path__):\n"
        "        importlib.import_module(f'{pkg.__name__}.{mod.name}')\n"
        "import annotator.cli, annotator.site_cli\n"
        "bad = sorted(m for m in sys.modules if m.startswith('PySide6'))\n"
        "print('loaded:', bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_formats_knows_nothing_of_the_library():
    assert imports_of("formats", ("annotator.store", "annotator.site", "annotator.ui", "sqlite3")) == []
    code = (
        "import sys, pkgutil, importlib, annotator.formats\n"
        "for mod in pkgutil.iter_modules(annotator.formats.__path__):\n"
        "    importlib.import_module(f'annotator.formats.{mod.name}')\n"
        "print(sorted(m for m in sys.modules if m.startswith(('annotator.store', 'sqlite3', 'PySide6'))))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.stdout == "[]\n", run.stdout + run.stderr


def test_the_ui_never_speaks_sql():
    assert imports_of("ui", ("sqlite3",)) == []
    statements = [f"{path.name}:{number}: {line.strip()}" for path in sorted((PACKAGE / "ui").glob("*.py"))
                  for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1) if SQL.search(line)]
    assert statements == []


def test_the_site_layer_sits_between_the_store_and_the_ui():
    """annotator.site (the course site's git work tree) uses store and formats; they never use it, nor does it use ui."""
    assert imports_of("store", ("annotator.site", "annotator.ui")) == []
    assert imports_of("site", ("annotator.ui",)) == []


def test_the_arxiv_client_knows_neither_the_library_nor_qt():
    """annotator.arxiv talks HTTP and parses Atom; the store decides what to look up and keeps the answers."""
    assert imports_of("arxiv", ("annotator.store", "annotator.site", "annotator.ui", "sqlite3", "PySide6")) == []
