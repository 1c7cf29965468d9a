-- Schema version 10 (issue 16): the folder a session's file was imported from, so that the app can
-- reveal that file for any import (before, only a post of a course linked to its site had a known
-- place). The folder as the import resolved it (absolute, symlinks resolved), the file's name being
-- `source` as before (`source` stays the name: export names the post after it). NULL for a session
-- made in the app and for one imported before this version, which did not keep the folder.
ALTER TABLE sessions ADD COLUMN source_folder TEXT;

-- Undo restores the columns its log names: the sessions' triggers now name source_folder too, so
-- that undoing a re-import from another folder brings the old folder back.
DROP TRIGGER sessions_undo_update;
DROP TRIGGER sessions_undo_delete;
CREATE TRIGGER sessions_undo_update AFTER UPDATE ON sessions BEGIN
    INSERT INTO undo_entries (log_id, tbl, row_id, action, old) SELECT log_id, 'sessions', OLD.id, 'U', json_object('id', OLD.id, 'course_id', OLD.course_id, 'code', OLD.code, 'title', OLD.title, 'date', OLD.date, 'source', OLD.source, 'kind', OLD.kind, 'front_matter', OLD.front_matter, 'original_text', OLD.original_text, 'imported_at', OLD.imported_at, 'source_folder', OLD.source_folder) FROM undo_capture;
END;
CREATE TRIGGER sessions_undo_delete AFTER DELETE ON sessions BEGIN
    INSERT INTO undo_entries (log_id, tbl, row_id, action, old) SELECT log_id, 'sessions', OLD.id, 'D', json_object('id', OLD.id, 'course_id', OLD.course_id, 'code', OLD.code, 'title', OLD.title, 'date', OLD.date, 'source', OLD.source, 'kind', OLD.kind, 'front_matter', OLD.front_matter, 'original_text', OLD.original_text, 'imported_at', OLD.imported_at, 'source_folder', OLD.source_folder) FROM undo_capture;
END;
