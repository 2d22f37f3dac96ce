-- Up Migration
-- work_queue becomes the admission ledger of WorkQueues: a story is admitted
-- when its row turns Admitted (claimed by one operator's daemon run, under a
-- per-queue advisory lock, so two replicas never overfill a queue or start a
-- story twice); it holds its slot until the row is Released (the story
-- finished or was deleted). position is its place while Queued, for status.
ALTER TABLE work_queue
  ADD COLUMN repository     text NOT NULL DEFAULT '',
  ADD COLUMN position       integer CHECK (position >= 1),
  ADD COLUMN claimed_by     uuid REFERENCES daemon_runs (id),
  ADD COLUMN release_reason text;
CREATE INDEX work_queue_holding ON work_queue (namespace, queue_name) WHERE state = 'Admitted';
CREATE INDEX work_queue_admitted_at ON work_queue (namespace, queue_name, admitted_at);

-- Holds a queue (or a budget) places on a story: while any hold exists, the
-- story pauses gracefully and stays paused, without touching the user's
-- spec.paused; it resumes by itself once every hold is lifted. One row per
-- story and reason (ScheduleClosed, BudgetExceeded, ...), so two holders
-- never lift each other's hold.
CREATE TABLE story_holds (
  story_uid   uuid NOT NULL,
  reason      text NOT NULL CHECK (reason ~ '^[A-Z][A-Za-z0-9]*$'),
  namespace   text NOT NULL,
  queue_name  text,
  message     text NOT NULL DEFAULT '',
  held_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (story_uid, reason)
);
CREATE INDEX story_holds_queue ON story_holds (namespace, queue_name, reason);

-- When the step last changed, so the health monitor tells a slow step (alive,
-- the same step for long) from a stuck runner (no heartbeat).
ALTER TABLE execution_sessions ADD COLUMN step_started_at timestamptz;
CREATE FUNCTION note_step_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.step IS DISTINCT FROM OLD.step THEN
    NEW.step_started_at := now();
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER execution_sessions_step_started BEFORE UPDATE OF step ON execution_sessions
  FOR EACH ROW EXECUTE FUNCTION note_step_change();

-- What happened to a queue as a whole, for the notifier and the dashboard:
-- an auto-pause after repeated failures, keyed so it is recorded once, then
-- acted on (applied_at: the queue's spec.paused was set), so a crash between
-- the two finishes the pause rather than forgetting it.
CREATE TABLE queue_events (
  id               bigserial PRIMARY KEY,
  namespace        text NOT NULL,
  queue_name       text NOT NULL,
  type             text NOT NULL,
  message          text NOT NULL,
  data             jsonb NOT NULL DEFAULT '{}'::jsonb,
  occurred_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
  applied_at       timestamptz,
  idempotency_key  text NOT NULL UNIQUE
);
CREATE INDEX queue_events_queue_time ON queue_events (namespace, queue_name, occurred_at);

-- Down Migration
DROP TABLE queue_events;
DROP TRIGGER execution_sessions_step_started ON execution_sessions;
DROP FUNCTION note_step_change();
ALTER TABLE execution_sessions DROP COLUMN step_started_at;
DROP TABLE story_holds;
DROP INDEX work_queue_admitted_at;
DROP INDEX work_queue_holding;
ALTER TABLE work_queue DROP COLUMN release_reason, DROP COLUMN claimed_by, DROP COLUMN position, DROP COLUMN repository;
