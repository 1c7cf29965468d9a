"""annotator: prepare reading-group sessions and export them as Jekyll posts."""


def __getattr__(name: str) -> str:
    """`annotator.__version__`, read from the installed metadata when first asked for.

    Lazily, because importing importlib.metadata is slow and most commands never ask for the version.
    """
    if name != "__version__":
        raise AttributeError(f"module 'annotator' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("annotator")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0.0.0+source"
