"""annotator: prepare reading-group sessions and export them as Jekyll posts."""


def __getattr__(name: str) -> str:
    """`annotator.__version__`, read from the installed metadata when first asked for.

    Lazily, because importlib.metadata costs ~60 ms, which every parse worker process would pay.
    """
    if name != "__version__":
        raise AttributeError(f"module 'annotator' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("annotator")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0.0.0+source"
