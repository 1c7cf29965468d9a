-- Schema version 9: the papers' search index keeps prefix indexes of one and two characters.
-- Every search starts with a word of one or two letters typed as a prefix ("r*"), which without
-- them merges the entries of every word starting so; with them it reads one entry, so counting
-- and listing its matches is quick (ranking them stays as before: bm25 of the same index).
-- FTS5 options cannot be changed on a table: it is made anew and rebuilt from papers. The
-- triggers of 005 name it and keep it in step as before.
DROP TABLE papers_fts;
CREATE VIRTUAL TABLE papers_fts USING fts5 (title, abstract, authors, content='papers', content_rowid='id', prefix='1 2');
INSERT INTO papers_fts (papers_fts) VALUES ('rebuild');
