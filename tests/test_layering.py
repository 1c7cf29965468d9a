"""formats and store are the core: they must work (and be tested, scripted) without Qt."""

import subprocess
import sys


def test_core_packages_never_import_qt():
    code = (
        "import sys, pkgutil, importlib, annotator.formats, annotator.store\n"
        "for pkg in (annotator.formats, annotator.store):\n"
        "    for mod in pkgutil.iter_modules(pkg.__path__):\n"
        "        importlib.import_module(f'{pkg.__name__}.{mod.name}')\n"
        "import annotator.cli\n"
        "bad = sorted(m for m in sys.modules if m.startswith('PySide6'))\n"
        "print('loaded:', bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
