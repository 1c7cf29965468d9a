-- Schema version 5: one mechanism keeps the search index up to date, the triggers below, for
-- every write (an import too). Versions 3 and 4 let a large import index its new rows itself at
-- the end while fts_pending told these triggers to skip them; the import now inserts each file's
-- rows with one executemany per table and lets the triggers index them, so fts_pending goes.
DROP TRIGGER papers_ai;
DROP TRIGGER papers_ad;
DROP TRIGGER papers_au;
CREATE TRIGGER papers_ai AFTER INSERT ON papers BEGIN
    INSERT INTO papers_fts (rowid, title, abstract, authors) VALUES (new.id, new.title, new.abstract, new.authors);
END;
CREATE TRIGGER papers_ad AFTER DELETE ON papers BEGIN
    INSERT INTO papers_fts (papers_fts, rowid, title, abstract, authors) VALUES ('delete', old.id, old.title, old.abstract, old.authors);
END;
CREATE TRIGGER papers_au AFTER UPDATE OF title, abstract, authors ON papers BEGIN
    INSERT INTO papers_fts (papers_fts, rowid, title, abstract, authors) VALUES ('delete', old.id, old.title, old.abstract, old.authors);
    INSERT INTO papers_fts (rowid, title, abstract, authors) VALUES (new.id, new.title, new.abstract, new.authors);
END;

DROP TRIGGER sessions_ai;
DROP TRIGGER sessions_ad;
DROP TRIGGER sessions_au;
CREATE TRIGGER sessions_ai AFTER INSERT ON sessions BEGIN
    INSERT INTO sessions_fts (rowid, title) VALUES (new.id, new.title);
END;
CREATE TRIGGER sessions_ad AFTER DELETE ON sessions BEGIN
    INSERT INTO sessions_fts (sessions_fts, rowid, title) VALUES ('delete', old.id, old.title);
END;
CREATE TRIGGER sessions_au AFTER UPDATE OF title ON sessions BEGIN
    INSERT INTO sessions_fts (sessions_fts, rowid, title) VALUES ('delete', old.id, old.title);
    INSERT INTO sessions_fts (rowid, title) VALUES (new.id, new.title);
END;

DROP TABLE fts_pending;
