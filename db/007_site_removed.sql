-- Schema version 7: a session deleted in the app is remembered for its site, so that the next sync
-- does not bring its post back as "new on disk". Deleting a session deletes its sync base (006);
-- just before that, this keeps the base's path and hash. Status then reads a post of that path
-- that still holds that text as "deleted in the app": sync leaves the file and says so. A post
-- changed since on the site is new again (someone wants it), and importing it clears the mark.
CREATE TABLE site_removed (
    id INTEGER PRIMARY KEY,
    course_id INTEGER NOT NULL REFERENCES courses(id) ON DELETE CASCADE,
    path TEXT NOT NULL,                       -- relative to the site folder, as in site_bases
    hash TEXT NOT NULL,                       -- sha256 of the text the post had when the session was deleted
    UNIQUE (course_id, path)
);

CREATE TRIGGER site_session_removed BEFORE DELETE ON sessions BEGIN
    INSERT INTO site_removed (course_id, path, hash)
    SELECT OLD.course_id, b.path, b.hash FROM site_bases b WHERE b.id = OLD.id
    ON CONFLICT (course_id, path) DO UPDATE SET hash = excluded.hash;
END;
CREATE TRIGGER site_session_back AFTER INSERT ON site_bases BEGIN
    DELETE FROM site_removed WHERE path = NEW.path AND course_id = (SELECT course_id FROM sessions WHERE id = NEW.id);
END;

CREATE TRIGGER site_removed_undo_insert AFTER INSERT ON site_removed BEGIN
    INSERT INTO undo_entries (log_id, tbl, row_id, action, old) SELECT log_id, 'site_removed', NEW.id, 'I', NULL FROM undo_capture;
END;
CREATE TRIGGER site_removed_undo_update AFTER UPDATE ON site_removed BEGIN
    INSERT INTO undo_entries (log_id, tbl, row_id, action, old) SELECT log_id, 'site_removed', OLD.id, 'U', json_object('id', OLD.id, 'course_id', OLD.course_id, 'path', OLD.path, 'hash', OLD.hash) FROM undo_capture;
END;
CREATE TRIGGER site_removed_undo_delete AFTER DELETE ON site_removed BEGIN
    INSERT INTO undo_entries (log_id, tbl, row_id, action, old) SELECT log_id, 'site_removed', OLD.id, 'D', json_object('id', OLD.id, 'course_id', OLD.course_id, 'path', OLD.path, 'hash', OLD.hash) FROM undo_capture;
END;
