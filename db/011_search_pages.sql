-- Schema version 11 (issue 16): the best papers of each one-word search that matches many papers, kept.
-- A word typed in the Library tab ("r", "re", "ret"…) matches most papers of a large library, and
-- bm25 scores every match (about 1 µs each), so the first keystrokes of a search waited 0.1 s at
-- 100k papers. store/search_pages.py ranks those searches once, when the window is idle, and
-- keeps their best papers here. Not the user's data: no undo triggers.
--
-- Kept rankings are good only for the papers they were ranked from: every change to what the
-- search index holds of a paper (its title, abstract or authors; a paper added or removed, by an
-- edit, an import, an undo or another process) draws a new search_generation.generation in the
-- same transaction, and they are read only while pages_of is the current generation, and while
-- the index's own totals are those they were ranked with (an index written to directly, or rebuilt,
-- by hand). The generation is random, not a count: a restored backup, or a copy synced from
-- another laptop, never comes back to a value that rankings were made at from other papers.
CREATE TABLE search_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    generation INTEGER NOT NULL,              -- drawn anew with every change to the papers' search index
    pages_of INTEGER,                         -- the generation the kept rankings are of; NULL: none
    ranked_as TEXT,                           -- how they were ranked (store/search_pages.ranking): weights, index
    index_totals BLOB                         -- FTS5's record of the index's rows and words then (papers_fts_data 1)
);
INSERT INTO search_generation (id, generation) VALUES (1, random());

CREATE TABLE search_rankings (
    id INTEGER PRIMARY KEY,
    matches INTEGER NOT NULL,                 -- how many papers the search matches
    ids TEXT NOT NULL,                        -- its best paper ids by bm25, best first, space-separated
    page_score REAL NOT NULL,                 -- the bm25 score of the last of the first page of them
    last_score REAL NOT NULL                  -- the bm25 score of the last of them: no other paper scores better
);

CREATE TABLE search_pages (
    prefix TEXT PRIMARY KEY,                  -- a word start, folded: 'r', 're', 'ret', '7b'
    ranking INTEGER NOT NULL REFERENCES search_rankings (id),  -- "retr" and "retrieval" may share one
    whole_word INTEGER NOT NULL               -- 1: the only indexed word starting so is PREFIX itself
);

CREATE TRIGGER papers_search_insert AFTER INSERT ON papers BEGIN
    UPDATE search_generation SET generation = random();
END;
CREATE TRIGGER papers_search_delete AFTER DELETE ON papers BEGIN
    UPDATE search_generation SET generation = random();
END;
CREATE TRIGGER papers_search_update AFTER UPDATE OF title, abstract, authors ON papers BEGIN
    UPDATE search_generation SET generation = random();
END;
