-- Schema version 3: a large import indexes its new papers in one statement at the end instead of
-- row by row, which is faster. While fts_pending holds ('papers', N), the triggers leave papers with
-- id > N alone; the import then indexes them and removes the row, in the same transaction.
CREATE TABLE fts_pending (tbl TEXT PRIMARY KEY, above INTEGER NOT NULL);

DROP TRIGGER papers_ai;
DROP TRIGGER papers_ad;
DROP TRIGGER papers_au;
CREATE TRIGGER papers_ai AFTER INSERT ON papers
WHEN NOT EXISTS (SELECT 1 FROM fts_pending WHERE tbl = 'papers' AND new.id > above) BEGIN
    INSERT INTO papers_fts (rowid, title, abstract, authors) VALUES (new.id, new.title, new.abstract, new.authors);
END;
CREATE TRIGGER papers_ad AFTER DELETE ON papers
WHEN NOT EXISTS (SELECT 1 FROM fts_pending WHERE tbl = 'papers' AND old.id > above) BEGIN
    INSERT INTO papers_fts (papers_fts, rowid, title, abstract, authors) VALUES ('delete', old.id, old.title, old.abstract, old.authors);
END;
CREATE TRIGGER papers_au AFTER UPDATE OF title, abstract, authors ON papers
WHEN NOT EXISTS (SELECT 1 FROM fts_pending WHERE tbl = 'papers' AND old.id > above) BEGIN
    INSERT INTO papers_fts (papers_fts, rowid, title, abstract, authors) VALUES ('delete', old.id, old.title, old.abstract, old.authors);
    INSERT INTO papers_fts (rowid, title, abstract, authors) VALUES (new.id, new.title, new.abstract, new.authors);
END;
