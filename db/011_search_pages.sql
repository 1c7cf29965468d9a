-- Schema version 11 (issue 16): the best page of each search for one or two letters, kept.
-- A word of one or two letters typed in the Library tab ("r", "re") matches most papers of a large
-- library, and bm25 scores every match (about 1 µs each), so that first keystroke waited 0.1 s at
-- 100k papers. store/search_pages.py ranks those searches once, when the window is idle, and
-- keeps their best page here. Not the user's data: no undo triggers.
--
-- A page is good only for the papers it was ranked from: every change to what the search index
-- holds of a paper (its title, abstract or authors; a paper added or removed, by an edit, an
-- import, an undo or another process) counts up search_generation in the same transaction, and
-- a page is read only when its generation is the current one.
CREATE TABLE search_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    generation INTEGER NOT NULL,              -- counts changes to the papers' search index
    pages_of INTEGER NOT NULL                 -- the generation whose pages are all kept; -1: none
);
INSERT INTO search_generation (id, generation, pages_of) VALUES (1, 0, -1);

CREATE TABLE search_pages (
    prefix TEXT PRIMARY KEY,                  -- the word searched for, folded: 'r', 're', '7b'
    generation INTEGER NOT NULL,              -- search_generation.generation when it was ranked
    matches INTEGER NOT NULL,                 -- how many papers it matched
    ids TEXT NOT NULL                         -- the best paper ids by bm25, best first, space-separated
);

CREATE TRIGGER papers_search_insert AFTER INSERT ON papers BEGIN
    UPDATE search_generation SET generation = generation + 1;
END;
CREATE TRIGGER papers_search_delete AFTER DELETE ON papers BEGIN
    UPDATE search_generation SET generation = generation + 1;
END;
CREATE TRIGGER papers_search_update AFTER UPDATE OF title, abstract, authors ON papers BEGIN
    UPDATE search_generation SET generation = generation + 1;
END;
