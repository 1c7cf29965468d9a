-- Schema version 8: arXiv's answers kept in the library (issue 17), so that a second lookup of the
-- same paper needs no network. Not the user's data: no undo triggers, so undo neither records nor
-- removes it; store/arxiv_cache.py writes it in transactions of its own.
CREATE TABLE arxiv_cache (
    query TEXT PRIMARY KEY,                   -- 'id:2303.17564', or 'title:' and the title's key (formats/papers.title_key)
    entries TEXT NOT NULL,                    -- JSON list of [id, title, [authors], abstract, published]; [] when arXiv had none
    fetched_at TEXT NOT NULL                  -- UTC, ISO 8601: an empty answer is asked again after a while
);
