-- Up Migration
-- The orphan sweep asks for the stories with an attempt still open.
CREATE INDEX execution_sessions_open ON execution_sessions (story_uid, namespace) WHERE ended_at IS NULL;

-- Down Migration
DROP INDEX execution_sessions_open;
