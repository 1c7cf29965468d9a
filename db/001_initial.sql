-- annotator library, schema version 1.
-- Applied inside one transaction by annotator/store/migrations.py; PRAGMA user_version is set there.

CREATE TABLE courses (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    site_folder TEXT NOT NULL DEFAULT ''
);

-- A session is identified by (course, code): S0-L16 of two courses are two sessions.
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    course_id INTEGER NOT NULL REFERENCES courses(id) ON DELETE CASCADE,
    code TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    date TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',          -- the imported file's name ('' when made in the app)
    kind TEXT NOT NULL DEFAULT 'session_post',
    front_matter TEXT NOT NULL DEFAULT '{}',  -- JSON object, keys in file order
    original_text TEXT,                       -- the imported text, kept so that export is lossless
    imported_at TEXT NOT NULL DEFAULT '',
    UNIQUE (course_id, code)
);

-- One paper once: arxiv_id when known, else the normalised title (title_key).
CREATE TABLE papers (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    title_key TEXT NOT NULL,
    url TEXT NOT NULL DEFAULT '',
    arxiv_id TEXT UNIQUE,
    authors TEXT NOT NULL DEFAULT '',
    abstract TEXT NOT NULL DEFAULT ''
);
CREATE INDEX papers_title_key ON papers (title_key);

CREATE TABLE readings (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    section TEXT NOT NULL DEFAULT '',
    paper_id INTEGER NOT NULL REFERENCES papers(id),
    team TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    source_index INTEGER                      -- index of its block in original_text; NULL when added in the app
);
CREATE INDEX readings_session ON readings (session_id, position);
CREATE INDEX readings_paper ON readings (paper_id);

CREATE TABLE reading_videos (
    id INTEGER PRIMARY KEY,
    reading_id INTEGER NOT NULL REFERENCES readings(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    url TEXT NOT NULL
);
CREATE INDEX reading_videos_reading ON reading_videos (reading_id, position);

CREATE TABLE teams (
    id INTEGER PRIMARY KEY,
    course_id INTEGER NOT NULL REFERENCES courses(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    members TEXT NOT NULL DEFAULT '',
    UNIQUE (course_id, name)
);

CREATE TABLE paper_lists (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL DEFAULT '',
    imported_at TEXT NOT NULL DEFAULT ''
);

CREATE TABLE paper_list_items (
    id INTEGER PRIMARY KEY,
    list_id INTEGER NOT NULL REFERENCES paper_lists(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    paper_id INTEGER NOT NULL REFERENCES papers(id)
);
CREATE INDEX paper_list_items_list ON paper_list_items (list_id, position);
CREATE INDEX paper_list_items_paper ON paper_list_items (paper_id);

-- Full-text search (external content tables, kept in sync by triggers, sqlite-utils naming).
CREATE VIRTUAL TABLE papers_fts USING fts5 (title, abstract, authors, content='papers', content_rowid='id');
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

CREATE VIRTUAL TABLE sessions_fts USING fts5 (title, content='sessions', content_rowid='id');
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

CREATE VIRTUAL TABLE readings_fts USING fts5 (notes, content='readings', content_rowid='id');
CREATE TRIGGER readings_ai AFTER INSERT ON readings WHEN new.notes != '' BEGIN
    INSERT INTO readings_fts (rowid, notes) VALUES (new.id, new.notes);
END;
CREATE TRIGGER readings_ad AFTER DELETE ON readings WHEN old.notes != '' BEGIN
    INSERT INTO readings_fts (readings_fts, rowid, notes) VALUES ('delete', old.id, old.notes);
END;
CREATE TRIGGER readings_au AFTER UPDATE OF notes ON readings BEGIN
    INSERT INTO readings_fts (readings_fts, rowid, notes) SELECT 'delete', old.id, old.notes WHERE old.notes != '';
    INSERT INTO readings_fts (rowid, notes) SELECT new.id, new.notes WHERE new.notes != '';
END;

-- Undo/redo, persisted: every operation is a row; triggers record the rows it changed
-- (while undo_capture holds the log being written), and undo replays them backwards.
CREATE TABLE operations (
    id INTEGER PRIMARY KEY,
    label TEXT NOT NULL,
    changes TEXT NOT NULL DEFAULT '{}',
    state TEXT NOT NULL CHECK (state IN ('done', 'undone')),
    log_id INTEGER NOT NULL,                  -- undo_entries that undo it (state done) or redo it (undone)
    created_at TEXT NOT NULL
);
CREATE TABLE undo_entries (
    id INTEGER PRIMARY KEY,
    log_id INTEGER NOT NULL,
    tbl TEXT NOT NULL,
    row_id INTEGER NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('I', 'U', 'D')),
    old TEXT
);
CREATE INDEX undo_entries_log ON undo_entries (log_id, id);
CREATE TABLE undo_capture (log_id INTEGER NOT NULL);

CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TRIGGER courses_undo_insert AFTER INSERT ON courses BEGIN
    INSERT INTO undo_entries (log_id, tbl, row_id, action, old) SELECT log_id, 'courses', NEW.id, 'I', NULL FROM undo_capture;
END;
CREATE TRIGGER courses_undo_update AFTER UPDATE ON courses BEGIN
    INSERT INTO undo_entries (log_id, tbl, row_id, action, old) SELECT log_id, 'courses', OLD.id, 'U', json_object('id', OLD.id, 'name', OLD.name, 'site_folder', OLD.site_folder) FROM undo_capture;
END;
CREATE TRIGGER courses_undo_delete AFTER DELETE ON courses BEGIN
    INSERT INTO undo_entries (log_id, tbl, row_id, action, old) SELECT log_id, 'courses', OLD.id, 'D', json_object('id', OLD.id, 'name', OLD.name, 'site_folder', OLD.site_folder) FROM undo_capture;
END;

CREATE TRIGGER sessions_undo_insert AFTER INSERT ON sessions BEGIN
    INSERT INTO undo_entries (log_id, tbl, row_id, action, old) SELECT log_id, 'sessions', NEW.id, 'I', NULL FROM undo_capture;
END;
CREATE TRIGGER sessions_undo_update AFTER UPDATE ON sessions BEGIN
    INSERT INTO undo_entries (log_id, tbl, row_id, action, old) SELECT log_id, 'sessions', OLD.id, 'U', json_object('id', OLD.id, 'course_id', OLD.course_id, 'code', OLD.code, 'title', OLD.title, 'date', OLD.date, 'source', OLD.source, 'kind', OLD.kind, 'front_matter', OLD.front_matter, 'original_text', OLD.original_text, 'imported_at', OLD.imported_at) FROM undo_capture;
END;
CREATE TRIGGER sessions_undo_delete AFTER DELETE ON sessions BEGIN
    INSERT INTO undo_entries (log_id, tbl, row_id, action, old) SELECT log_id, 'sessions', OLD.id, 'D', json_object('id', OLD.id, 'course_id', OLD.course_id, 'code', OLD.code, 'title', OLD.title, 'date', OLD.date, 'source', OLD.source, 'kind', OLD.kind, 'front_matter', OLD.front_matter, 'original_text', OLD.original_text, 'imported_at', OLD.imported_at) FROM undo_capture;
END;

CREATE TRIGGER papers_undo_insert AFTER INSERT ON papers BEGIN
    INSERT INTO undo_entries (log_id, tbl, row_id, action, old) SELECT log_id, 'papers', NEW.id, 'I', NULL FROM undo_capture;
END;
CREATE TRIGGER papers_undo_update AFTER UPDATE ON papers BEGIN
    INSERT INTO undo_entries (log_id, tbl, row_id, action, old) SELECT log_id, 'papers', OLD.id, 'U', json_object('id', OLD.id, 'title', OLD.title, 'title_key', OLD.title_key, 'url', OLD.url, 'arxiv_id', OLD.arxiv_id, 'authors', OLD.authors, 'abstract', OLD.abstract) FROM undo_capture;
END;
CREATE TRIGGER papers_undo_delete AFTER DELETE ON papers BEGIN
    INSERT INTO undo_entries (log_id, tbl, row_id, action, old) SELECT log_id, 'papers', OLD.id, 'D', json_object('id', OLD.id, 'title', OLD.title, 'title_key', OLD.title_key, 'url', OLD.url, 'arxiv_id', OLD.arxiv_id, 'authors', OLD.authors, 'abstract', OLD.abstract) FROM undo_capture;
END;

CREATE TRIGGER readings_undo_insert AFTER INSERT ON readings BEGIN
    INSERT INTO undo_entries (log_id, tbl, row_id, action, old) SELECT log_id, 'readings', NEW.id, 'I', NULL FROM undo_capture;
END;
CREATE TRIGGER readings_undo_update AFTER UPDATE ON readings BEGIN
    INSERT INTO undo_entries (log_id, tbl, row_id, action, old) SELECT log_id, 'readings', OLD.id, 'U', json_object('id', OLD.id, 'session_id', OLD.session_id, 'position', OLD.position, 'section', OLD.section, 'paper_id', OLD.paper_id, 'team', OLD.team, 'notes', OLD.notes, 'source_index', OLD.source_index) FROM undo_capture;
END;
CREATE TRIGGER readings_undo_delete AFTER DELETE ON readings BEGIN
    INSERT INTO undo_entries (log_id, tbl, row_id, action, old) SELECT log_id, 'readings', OLD.id, 'D', json_object('id', OLD.id, 'session_id', OLD.session_id, 'position', OLD.position, 'section', OLD.section, 'paper_id', OLD.paper_id, 'team', OLD.team, 'notes', OLD.notes, 'source_index', OLD.source_index) FROM undo_capture;
END;

CREATE TRIGGER reading_videos_undo_insert AFTER INSERT ON reading_videos BEGIN
    INSERT INTO undo_entries (log_id, tbl, row_id, action, old) SELECT log_id, 'reading_videos', NEW.id, 'I', NULL FROM undo_capture;
END;
CREATE TRIGGER reading_videos_undo_update AFTER UPDATE ON reading_videos BEGIN
    INSERT INTO undo_entries (log_id, tbl, row_id, action, old) SELECT log_id, 'reading_videos', OLD.id, 'U', json_object('id', OLD.id, 'reading_id', OLD.reading_id, 'position', OLD.position, 'url', OLD.url) FROM undo_capture;
END;
CREATE TRIGGER reading_videos_undo_delete AFTER DELETE ON reading_videos BEGIN
    INSERT INTO undo_entries (log_id, tbl, row_id, action, old) SELECT log_id, 'reading_videos', OLD.id, 'D', json_object('id', OLD.id, 'reading_id', OLD.reading_id, 'position', OLD.position, 'url', OLD.url) FROM undo_capture;
END;

CREATE TRIGGER teams_undo_insert AFTER INSERT ON teams BEGIN
    INSERT INTO undo_entries (log_id, tbl, row_id, action, old) SELECT log_id, 'teams', NEW.id, 'I', NULL FROM undo_capture;
END;
CREATE TRIGGER teams_undo_update AFTER UPDATE ON teams BEGIN
    INSERT INTO undo_entries (log_id, tbl, row_id, action, old) SELECT log_id, 'teams', OLD.id, 'U', json_object('id', OLD.id, 'course_id', OLD.course_id, 'name', OLD.name, 'members', OLD.members) FROM undo_capture;
END;
CREATE TRIGGER teams_undo_delete AFTER DELETE ON teams BEGIN
    INSERT INTO undo_entries (log_id, tbl, row_id, action, old) SELECT log_id, 'teams', OLD.id, 'D', json_object('id', OLD.id, 'course_id', OLD.course_id, 'name', OLD.name, 'members', OLD.members) FROM undo_capture;
END;

CREATE TRIGGER paper_lists_undo_insert AFTER INSERT ON paper_lists BEGIN
    INSERT INTO undo_entries (log_id, tbl, row_id, action, old) SELECT log_id, 'paper_lists', NEW.id, 'I', NULL FROM undo_capture;
END;
CREATE TRIGGER paper_lists_undo_update AFTER UPDATE ON paper_lists BEGIN
    INSERT INTO undo_entries (log_id, tbl, row_id, action, old) SELECT log_id, 'paper_lists', OLD.id, 'U', json_object('id', OLD.id, 'name', OLD.name, 'source', OLD.source, 'imported_at', OLD.imported_at) FROM undo_capture;
END;
CREATE TRIGGER paper_lists_undo_delete AFTER DELETE ON paper_lists BEGIN
    INSERT INTO undo_entries (log_id, tbl, row_id, action, old) SELECT log_id, 'paper_lists', OLD.id, 'D', json_object('id', OLD.id, 'name', OLD.name, 'source', OLD.source, 'imported_at', OLD.imported_at) FROM undo_capture;
END;

CREATE TRIGGER paper_list_items_undo_insert AFTER INSERT ON paper_list_items BEGIN
    INSERT INTO undo_entries (log_id, tbl, row_id, action, old) SELECT log_id, 'paper_list_items', NEW.id, 'I', NULL FROM undo_capture;
END;
CREATE TRIGGER paper_list_items_undo_update AFTER UPDATE ON paper_list_items BEGIN
    INSERT INTO undo_entries (log_id, tbl, row_id, action, old) SELECT log_id, 'paper_list_items', OLD.id, 'U', json_object('id', OLD.id, 'list_id', OLD.list_id, 'position', OLD.position, 'paper_id', OLD.paper_id) FROM undo_capture;
END;
CREATE TRIGGER paper_list_items_undo_delete AFTER DELETE ON paper_list_items BEGIN
    INSERT INTO undo_entries (log_id, tbl, row_id, action, old) SELECT log_id, 'paper_list_items', OLD.id, 'D', json_object('id', OLD.id, 'list_id', OLD.list_id, 'position', OLD.position, 'paper_id', OLD.paper_id) FROM undo_capture;
END;

