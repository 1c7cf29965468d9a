-- Schema version 8 (issue 17): arXiv's answers kept in the library, so that a second lookup of the
-- same paper needs no network. Not the user's data: no undo triggers, so undo neither records nor
-- removes it; store/arxiv_cache.py writes it in transactions of its own.
CREATE TABLE arxiv_cache (
    query TEXT PRIMARY KEY,                   -- 'id:2303.17564', or 'title:' and the title's key (formats/papers.title_key)
    entries TEXT NOT NULL,                    -- JSON list of [id, title, [authors], abstract, published]; [] when arXiv had none
    fetched_at TEXT NOT NULL                  -- UTC, ISO 8601: an empty answer is asked again after a while
);

-- When a paper's URL was last set by an edit (the app, `annotator edit`, a fill-in from arXiv), in the
-- local time `sessions.imported_at` is written in, to the microsecond. An imported post whose block
-- for that paper has no link gains one on export only when the URL was set after the post was read:
-- a URL the library knew from another post, at import, leaves the post byte-identical.
ALTER TABLE papers ADD COLUMN url_edited_at TEXT NOT NULL DEFAULT '';

DROP TRIGGER papers_undo_update;
DROP TRIGGER papers_undo_delete;
CREATE TRIGGER papers_undo_update AFTER UPDATE ON papers BEGIN
    INSERT INTO undo_entries (log_id, tbl, row_id, action, old) SELECT log_id, 'papers', OLD.id, 'U', json_object('id', OLD.id, 'title', OLD.title, 'title_key', OLD.title_key, 'url', OLD.url, 'arxiv_id', OLD.arxiv_id, 'authors', OLD.authors, 'abstract', OLD.abstract, 'url_edited_at', OLD.url_edited_at) FROM undo_capture;
END;
CREATE TRIGGER papers_undo_delete AFTER DELETE ON papers BEGIN
    INSERT INTO undo_entries (log_id, tbl, row_id, action, old) SELECT log_id, 'papers', OLD.id, 'D', json_object('id', OLD.id, 'title', OLD.title, 'title_key', OLD.title_key, 'url', OLD.url, 'arxiv_id', OLD.arxiv_id, 'authors', OLD.authors, 'abstract', OLD.abstract, 'url_edited_at', OLD.url_edited_at) FROM undo_capture;
END;
