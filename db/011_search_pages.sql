-- Schema version 11 (issue 16): the best page of each one-word search that matches many papers, kept.
-- A word typed in the Library tab ("r", "re", "ret"…) matches most papers of a large library, and
-- bm25 scores every match (about 1 µs each), so the first keystrokes of a search waited 0.1 s at
-- 100k papers. store/search_pages.py ranks those searches once, when the window is idle, and
-- keeps their best page here. Not the user's data: no undo triggers.
--
-- A page is good only for the papers it was ranked from: every change to what the search index
-- holds of a paper (its title, abstract or authors; a paper added or removed, by an edit, an
-- import, an undo or another process) draws a new search_generation.generation in the same
-- transaction, and a page is read only when its generation is the current one. The generation is
-- random, not a count: a restored backup, or a copy synced from another laptop, never comes back
-- to a value that pages were ranked at from other papers.
CREATE TABLE search_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    generation INTEGER NOT NULL,              -- drawn anew with every change to the papers' search index
    pages_of INTEGER,                         -- the generation whose pages are all kept; NULL: none
    ranked_as TEXT                            -- how they were ranked (store/search_pages.ranking): weights, page, index
);
INSERT INTO search_generation (id, generation) VALUES (1, random());

CREATE TABLE search_pages (
    prefix TEXT PRIMARY KEY,                  -- the word start searched for, folded: 'r', 're', '7b'
    generation INTEGER NOT NULL,              -- search_generation.generation when it was ranked
    matches INTEGER NOT NULL,                 -- how many papers it matched
    ids TEXT NOT NULL                         -- the best paper ids by bm25, best first, space-separated
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
