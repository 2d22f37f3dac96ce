-- Up Migration
-- The attempt's record carries the StoryRun snapshot the runner works from
-- (an environment variable cannot hold a large spec: Linux limits one to
-- 128 KiB) and the error a crashed runner reported.
ALTER TABLE execution_sessions
  ADD COLUMN storyrun jsonb,
  ADD COLUMN error text;

-- Daemon runs tell the truth: running, stopped (said goodbye) or crashed
-- (closed by a later start once its heartbeat was old), and the configuration
-- each ran with, secrets redacted.
ALTER TABLE daemon_runs
  ADD COLUMN status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'stopped', 'crashed')),
  ADD COLUMN config jsonb NOT NULL DEFAULT '{}'::jsonb;
UPDATE daemon_runs SET status = 'stopped' WHERE stopped_at IS NOT NULL;
CREATE INDEX daemon_runs_running ON daemon_runs (last_seen_at) WHERE status = 'running';

-- Down Migration
DROP INDEX daemon_runs_running;
ALTER TABLE daemon_runs DROP COLUMN config, DROP COLUMN status;
ALTER TABLE execution_sessions DROP COLUMN error, DROP COLUMN storyrun;
