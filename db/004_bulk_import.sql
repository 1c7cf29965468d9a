-- Schema version 4, for faster imports. (1) A large import writes its new rows with one executemany per file and logs
-- them for undo as one 'R' entry (rows row_id..old, inserted with ids above every existing id)
-- instead of one trigger-written 'I' entry per row. Undo deletes the range; the delete triggers
-- then log each row for redo as usual. Only the CHECK changes, so the table is rebuilt in place
-- (its name stays, so the undo triggers that write to it need no change).
CREATE TEMP TABLE undo_entries_copy AS SELECT * FROM undo_entries;
DROP TABLE undo_entries;
CREATE TABLE undo_entries (
    id INTEGER PRIMARY KEY,
    log_id INTEGER NOT NULL,
    tbl TEXT NOT NULL,
    row_id INTEGER NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('I', 'U', 'D', 'R')),
    old TEXT
);
INSERT INTO undo_entries (id, log_id, tbl, row_id, action, old)
SELECT id, log_id, tbl, row_id, action, old FROM undo_entries_copy;
DROP TABLE undo_entries_copy;
CREATE INDEX undo_entries_log ON undo_entries (log_id, id);

-- Session titles get the same deferred full-text indexing as papers (003): while fts_pending
-- holds ('sessions', N), the triggers leave sessions with id > N to the import that indexes them.
DROP TRIGGER sessions_ai;
DROP TRIGGER sessions_ad;
DROP TRIGGER sessions_au;
CREATE TRIGGER sessions_ai AFTER INSERT ON sessions
WHEN NOT EXISTS (SELECT 1 FROM fts_pending WHERE tbl = 'sessions' AND new.id > above) BEGIN
    INSERT INTO sessions_fts (rowid, title) VALUES (new.id, new.title);
END;
CREATE TRIGGER sessions_ad AFTER DELETE ON sessions
WHEN NOT EXISTS (SELECT 1 FROM fts_pending WHERE tbl = 'sessions' AND old.id > above) BEGIN
    INSERT INTO sessions_fts (sessions_fts, rowid, title) VALUES ('delete', old.id, old.title);
END;
CREATE TRIGGER sessions_au AFTER UPDATE OF title ON sessions
WHEN NOT EXISTS (SELECT 1 FROM fts_pending WHERE tbl = 'sessions' AND old.id > above) BEGIN
    INSERT INTO sessions_fts (sessions_fts, rowid, title) VALUES ('delete', old.id, old.title);
    INSERT INTO sessions_fts (rowid, title) VALUES (new.id, new.title);
END;
