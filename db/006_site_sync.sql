-- Schema version 6: linking a course to its Jekyll site, and each session's sync base (issue 15).

-- A course linked to a site folder (`annotator site link`); unlinking deletes the row.
CREATE TABLE site_links (
    id INTEGER PRIMARY KEY REFERENCES courses(id) ON DELETE CASCADE,  -- the course's id
    folder TEXT NOT NULL,
    linked_at TEXT NOT NULL DEFAULT ''
);

-- The exact text last read from or written to the site for a session (the base of a three-way
-- merge), where it lives, and what status needs to see cheaply that nothing changed: the
-- file's size and mtime when it held that text, and whether the library changed the session
-- since (`app_edited`, set by the triggers below, cleared by the sync that writes the base), and
-- whether annotator wrote that text to the file or read it from there (`written`).
CREATE TABLE site_bases (
    id INTEGER PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,  -- the session's id
    path TEXT NOT NULL,                       -- relative to the site folder, e.g. _contents/S0-L16.md
    text TEXT NOT NULL,
    hash TEXT NOT NULL,                       -- sha256 of text (UTF-8)
    size INTEGER NOT NULL DEFAULT -1,
    mtime_ns INTEGER NOT NULL DEFAULT -1,
    app_edited INTEGER NOT NULL DEFAULT 0,
    written INTEGER NOT NULL DEFAULT 0        -- 1 when annotator wrote the file (a sync's commit takes only those)
);

-- Anything that can change a session's export marks it edited. The mark is a hint (status then
-- renders that session and compares), so it may be set too often, never too rarely.
CREATE TRIGGER site_edited_session AFTER UPDATE ON sessions BEGIN
    UPDATE site_bases SET app_edited = 1 WHERE id = NEW.id AND app_edited = 0;
END;
CREATE TRIGGER site_edited_reading_insert AFTER INSERT ON readings BEGIN
    UPDATE site_bases SET app_edited = 1 WHERE id = NEW.session_id AND app_edited = 0;
END;
CREATE TRIGGER site_edited_reading_update AFTER UPDATE ON readings BEGIN
    UPDATE site_bases SET app_edited = 1 WHERE id IN (OLD.session_id, NEW.session_id) AND app_edited = 0;
END;
CREATE TRIGGER site_edited_reading_delete AFTER DELETE ON readings BEGIN
    UPDATE site_bases SET app_edited = 1 WHERE id = OLD.session_id AND app_edited = 0;
END;
CREATE TRIGGER site_edited_video_insert AFTER INSERT ON reading_videos BEGIN
    UPDATE site_bases SET app_edited = 1 WHERE id = (SELECT session_id FROM readings WHERE id = NEW.reading_id) AND app_edited = 0;
END;
CREATE TRIGGER site_edited_video_update AFTER UPDATE ON reading_videos BEGIN
    UPDATE site_bases SET app_edited = 1 WHERE id = (SELECT session_id FROM readings WHERE id = NEW.reading_id) AND app_edited = 0;
END;
CREATE TRIGGER site_edited_video_delete AFTER DELETE ON reading_videos BEGIN
    UPDATE site_bases SET app_edited = 1 WHERE id = (SELECT session_id FROM readings WHERE id = OLD.reading_id) AND app_edited = 0;
END;
CREATE TRIGGER site_edited_paper AFTER UPDATE OF title, url, authors, abstract ON papers BEGIN
    UPDATE site_bases SET app_edited = 1 WHERE id IN (SELECT session_id FROM readings WHERE paper_id = NEW.id) AND app_edited = 0;
END;

-- Undo: a sync is one operation, and undoing it puts the library and the bases back (the files
-- it wrote stay: status then shows them as changed on disk).
CREATE TRIGGER site_links_undo_insert AFTER INSERT ON site_links BEGIN
    INSERT INTO undo_entries (log_id, tbl, row_id, action, old) SELECT log_id, 'site_links', NEW.id, 'I', NULL FROM undo_capture;
END;
CREATE TRIGGER site_links_undo_update AFTER UPDATE ON site_links BEGIN
    INSERT INTO undo_entries (log_id, tbl, row_id, action, old) SELECT log_id, 'site_links', OLD.id, 'U', json_object('id', OLD.id, 'folder', OLD.folder, 'linked_at', OLD.linked_at) FROM undo_capture;
END;
CREATE TRIGGER site_links_undo_delete AFTER DELETE ON site_links BEGIN
    INSERT INTO undo_entries (log_id, tbl, row_id, action, old) SELECT log_id, 'site_links', OLD.id, 'D', json_object('id', OLD.id, 'folder', OLD.folder, 'linked_at', OLD.linked_at) FROM undo_capture;
END;

CREATE TRIGGER site_bases_undo_insert AFTER INSERT ON site_bases BEGIN
    INSERT INTO undo_entries (log_id, tbl, row_id, action, old) SELECT log_id, 'site_bases', NEW.id, 'I', NULL FROM undo_capture;
END;
CREATE TRIGGER site_bases_undo_update AFTER UPDATE ON site_bases BEGIN
    INSERT INTO undo_entries (log_id, tbl, row_id, action, old) SELECT log_id, 'site_bases', OLD.id, 'U', json_object('id', OLD.id, 'path', OLD.path, 'text', OLD.text, 'hash', OLD.hash, 'size', OLD.size, 'mtime_ns', OLD.mtime_ns, 'app_edited', OLD.app_edited, 'written', OLD.written) FROM undo_capture;
END;
CREATE TRIGGER site_bases_undo_delete AFTER DELETE ON site_bases BEGIN
    INSERT INTO undo_entries (log_id, tbl, row_id, action, old) SELECT log_id, 'site_bases', OLD.id, 'D', json_object('id', OLD.id, 'path', OLD.path, 'text', OLD.text, 'hash', OLD.hash, 'size', OLD.size, 'mtime_ns', OLD.mtime_ns, 'app_edited', OLD.app_edited, 'written', OLD.written) FROM undo_capture;
END;
