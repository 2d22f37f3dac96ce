-- Up Migration
-- The records of Nightshift. Every table a repeated write could double has a
-- key that makes the second write a no-op (ON CONFLICT DO NOTHING).

-- One row per operator process start.
CREATE TABLE daemon_runs (
  id            uuid PRIMARY KEY,
  identity      text NOT NULL,
  hostname      text NOT NULL,
  pid           integer NOT NULL,
  version       text NOT NULL,
  started_at    timestamptz NOT NULL DEFAULT now(),
  last_seen_at  timestamptz NOT NULL DEFAULT now(),
  stopped_at    timestamptz,
  stop_reason   text
);

-- One row per pod attempt of a StoryRun: (story_uid, attempt) is the key.
CREATE TABLE execution_sessions (
  id                uuid PRIMARY KEY,
  story_uid         uuid NOT NULL,
  namespace         text NOT NULL,
  name              text NOT NULL,
  story_id          text NOT NULL,
  attempt           integer NOT NULL CHECK (attempt >= 1),
  mode              text NOT NULL DEFAULT 'run' CHECK (mode IN ('run', 'salvage')),
  pod_name          text NOT NULL,
  pod_uid           text,
  max_cost_usd      numeric(14, 6),
  daemon_run_id     uuid REFERENCES daemon_runs (id),
  created_at        timestamptz NOT NULL DEFAULT now(),
  runner_started_at timestamptz,
  heartbeat_at      timestamptz,
  step              text,
  cost_usd          numeric(14, 6) NOT NULL DEFAULT 0,
  ended_at          timestamptz,
  outcome           text,
  outcome_detail    jsonb,
  UNIQUE (story_uid, attempt)
);
CREATE INDEX execution_sessions_story ON execution_sessions (namespace, name);

-- Append-only history: every transition, step, agent call, tool call, file
-- change, decision and heartbeat.
CREATE TABLE execution_events (
  id               bigserial PRIMARY KEY,
  session_id       uuid REFERENCES execution_sessions (id),
  story_uid        uuid NOT NULL,
  occurred_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
  source           text NOT NULL CHECK (source IN ('operator', 'runner')),
  type             text NOT NULL,
  step             text,
  message          text,
  data             jsonb NOT NULL DEFAULT '{}'::jsonb,
  idempotency_key  text UNIQUE
);
CREATE INDEX execution_events_session_time ON execution_events (session_id, occurred_at);
CREATE INDEX execution_events_story_time ON execution_events (story_uid, occurred_at);

CREATE FUNCTION reject_event_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'execution_events is append-only';
END $$;
CREATE TRIGGER execution_events_append_only BEFORE UPDATE ON execution_events
  FOR EACH ROW EXECUTE FUNCTION reject_event_update();

-- Stories waiting for or holding a slot in a WorkQueue.
CREATE TABLE work_queue (
  story_uid    uuid PRIMARY KEY,
  namespace    text NOT NULL,
  name         text NOT NULL,
  queue_name   text,
  priority     integer NOT NULL DEFAULT 0,
  state        text NOT NULL CHECK (state IN ('Queued', 'Admitted', 'Released')),
  enqueued_at  timestamptz NOT NULL DEFAULT now(),
  admitted_at  timestamptz,
  released_at  timestamptz
);
CREATE INDEX work_queue_order ON work_queue (namespace, queue_name, state, priority DESC, enqueued_at);

-- The last observed configuration of each WorkQueue (for history and the dashboard).
CREATE TABLE queue_config (
  namespace     text NOT NULL,
  name          text NOT NULL,
  max_parallel  integer NOT NULL,
  paused        boolean NOT NULL DEFAULT false,
  budget_ref    text,
  schedule      jsonb,
  generation    bigint NOT NULL DEFAULT 0,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (namespace, name)
);

-- Questions for a human, with everything needed to answer them.
CREATE TABLE decision_queue (
  id              text PRIMARY KEY,
  story_uid       uuid NOT NULL,
  namespace       text NOT NULL,
  name            text NOT NULL,
  session_id      uuid REFERENCES execution_sessions (id),
  kind            text NOT NULL DEFAULT 'Decision',
  step            text,
  question        text NOT NULL,
  context         text NOT NULL DEFAULT '',
  options         jsonb NOT NULL DEFAULT '[]'::jsonb,
  recommendation  text,
  asked_at        timestamptz NOT NULL DEFAULT now(),
  answered_at     timestamptz,
  choice          text,
  comment         text,
  answered_by     text
);
CREATE INDEX decision_queue_open ON decision_queue (namespace, answered_at) WHERE answered_at IS NULL;
CREATE INDEX decision_queue_story ON decision_queue (story_uid);

-- The cost ledger: spending windows (a story's cap, a Budget's day or week)
-- and the reservations drawn against them. A reservation is taken before a
-- model call for its worst case and settled to the real cost after it.
CREATE TABLE budget_windows (
  id            bigserial PRIMARY KEY,
  scope         text NOT NULL CHECK (scope IN ('story', 'daily', 'weekly')),
  scope_key     text NOT NULL,
  period_start  timestamptz NOT NULL DEFAULT '-infinity',
  period_end    timestamptz NOT NULL DEFAULT 'infinity',
  limit_usd     numeric(14, 6),
  spent_usd     numeric(14, 6) NOT NULL DEFAULT 0 CHECK (spent_usd >= 0),
  reserved_usd  numeric(14, 6) NOT NULL DEFAULT 0 CHECK (reserved_usd >= 0),
  UNIQUE (scope, scope_key, period_start)
);

CREATE TABLE cost_reservations (
  id           uuid PRIMARY KEY,
  story_uid    uuid NOT NULL,
  session_id   uuid REFERENCES execution_sessions (id),
  window_ids   bigint[] NOT NULL,
  amount_usd   numeric(14, 6) NOT NULL CHECK (amount_usd >= 0),
  actual_usd   numeric(14, 6),
  state        text NOT NULL DEFAULT 'reserved' CHECK (state IN ('reserved', 'settled', 'released', 'expired')),
  purpose      text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  settled_at   timestamptz
);
CREATE INDEX cost_reservations_open ON cost_reservations (expires_at) WHERE state = 'reserved';
CREATE INDEX cost_reservations_story ON cost_reservations (story_uid);

-- Reserve p_amount against every window in p_window_ids, or nothing. Rows are
-- locked in id order so concurrent callers never deadlock; a window without a
-- limit only records. Returns false when any window would go over its limit.
CREATE FUNCTION reserve_cost(p_id uuid, p_story_uid uuid, p_session_id uuid, p_window_ids bigint[],
                             p_amount numeric, p_ttl interval, p_purpose text)
RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  w record;
BEGIN
  IF EXISTS (SELECT 1 FROM cost_reservations WHERE id = p_id) THEN
    RETURN (SELECT state IN ('reserved', 'settled') FROM cost_reservations WHERE id = p_id);
  END IF;
  FOR w IN SELECT * FROM budget_windows WHERE id = ANY (p_window_ids) ORDER BY id FOR UPDATE LOOP
    IF w.limit_usd IS NOT NULL AND w.spent_usd + w.reserved_usd + p_amount > w.limit_usd THEN
      RETURN false;
    END IF;
  END LOOP;
  UPDATE budget_windows SET reserved_usd = reserved_usd + p_amount WHERE id = ANY (p_window_ids);
  INSERT INTO cost_reservations (id, story_uid, session_id, window_ids, amount_usd, expires_at, purpose)
  VALUES (p_id, p_story_uid, p_session_id, p_window_ids, p_amount, now() + p_ttl, p_purpose);
  RETURN true;
END $$;

-- Settle a reservation to its real cost (released when p_actual is null).
-- Idempotent: settling twice changes nothing.
CREATE FUNCTION settle_cost(p_id uuid, p_actual numeric) RETURNS numeric LANGUAGE plpgsql AS $$
DECLARE
  r cost_reservations;
BEGIN
  SELECT * INTO r FROM cost_reservations WHERE id = p_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no cost reservation %', p_id;
  END IF;
  IF r.state <> 'reserved' THEN
    RETURN r.actual_usd;
  END IF;
  PERFORM 1 FROM budget_windows WHERE id = ANY (r.window_ids) ORDER BY id FOR UPDATE;
  UPDATE budget_windows
     SET reserved_usd = GREATEST(reserved_usd - r.amount_usd, 0),
         spent_usd = spent_usd + COALESCE(p_actual, 0)
   WHERE id = ANY (r.window_ids);
  UPDATE cost_reservations
     SET state = CASE WHEN p_actual IS NULL THEN 'released' ELSE 'settled' END,
         actual_usd = p_actual, settled_at = now()
   WHERE id = p_id;
  RETURN p_actual;
END $$;

-- Release reservations whose holder died before settling them.
CREATE FUNCTION expire_cost_reservations() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  r record;
  n integer := 0;
BEGIN
  FOR r IN SELECT id FROM cost_reservations WHERE state = 'reserved' AND expires_at < now() ORDER BY id LOOP
    PERFORM settle_cost(r.id, NULL);
    UPDATE cost_reservations SET state = 'expired' WHERE id = r.id;
    n := n + 1;
  END LOOP;
  RETURN n;
END $$;

-- Draft pull requests waiting for a human review.
CREATE TABLE pr_review_queue (
  id            bigserial PRIMARY KEY,
  story_uid     uuid NOT NULL UNIQUE,
  namespace     text NOT NULL,
  name          text NOT NULL,
  repository    text NOT NULL,
  number        integer NOT NULL,
  url           text NOT NULL,
  head_branch   text NOT NULL,
  base_branch   text NOT NULL,
  draft         boolean NOT NULL DEFAULT true,
  confidence    numeric(4, 3),
  cost_usd      numeric(14, 6),
  created_at    timestamptz NOT NULL DEFAULT now(),
  review_state  text NOT NULL DEFAULT 'Pending' CHECK (review_state IN ('Pending', 'Approved', 'ChangesRequested', 'Merged', 'Closed'))
);

-- Down Migration
DROP TABLE pr_review_queue;
DROP FUNCTION expire_cost_reservations();
DROP FUNCTION settle_cost(uuid, numeric);
DROP FUNCTION reserve_cost(uuid, uuid, uuid, bigint[], numeric, interval, text);
DROP TABLE cost_reservations;
DROP TABLE budget_windows;
DROP TABLE decision_queue;
DROP TABLE queue_config;
DROP TABLE work_queue;
DROP TABLE execution_events;
DROP FUNCTION reject_event_update();
DROP TABLE execution_sessions;
DROP TABLE daemon_runs;
