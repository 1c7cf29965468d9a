"""Where shipped files live: inside the installed package, or beside it in a source checkout."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

_SOURCE_ROOT = Path(__file__).resolve().parent.parent


def shipped_dir(name: str) -> Path:
    """The folder of package data NAME ('db' or 'resources'), installed or from the source tree."""
    try:
        folder = resources.files(f"annotator.{name}")
        path = Path(str(folder))
        if path.is_dir():
            return path
    except ModuleNotFoundError:
        pass
    return _SOURCE_ROOT / name
