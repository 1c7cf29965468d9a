-- Schema version 2: indexes so that the library table sorts 100k papers without a full scan,
-- and the session list reads in its display order.
CREATE INDEX papers_title_sort ON papers (title COLLATE NOCASE);
CREATE INDEX sessions_course_date ON sessions (course_id, date, code);
