-- Up Migration
-- The dashboard server's records (docs/adr/0005-dashboard-events.md): its
-- tokens (hashed), the audit of every control, and one change log that
-- numbers every change a dashboard client sees — execution events and the
-- resource changes the dashboard's informers observe — with one sequence
-- whose numbers are taken in commit order, so a reader that has seen seq N
-- has seen everything numbered below N.

-- Bearer tokens: the secret is never stored, only its SHA-256.
CREATE TABLE dashboard_tokens (
  id            text PRIMARY KEY,
  name          text NOT NULL,
  secret_hash   bytea NOT NULL,
  scope         text NOT NULL CHECK (scope IN ('read', 'write')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  created_by    text NOT NULL,
  last_used_at  timestamptz,
  revoked_at    timestamptz
);
CREATE UNIQUE INDEX dashboard_tokens_live_name ON dashboard_tokens (name) WHERE revoked_at IS NULL;

-- Every control: who (token), what, when, before -> after, and how it ended.
-- Written 'pending' before the spec patch, finished after it.
CREATE TABLE dashboard_audit (
  id           bigserial PRIMARY KEY,
  at           timestamptz NOT NULL DEFAULT now(),
  token_id     text,
  token_name   text NOT NULL,
  action       text NOT NULL,
  kind         text NOT NULL,
  namespace    text,
  name         text,
  request      jsonb NOT NULL DEFAULT '{}'::jsonb,
  before       jsonb,
  after        jsonb,
  outcome      text NOT NULL CHECK (outcome IN ('pending', 'applied', 'conflict', 'rejected', 'failed')),
  status       integer,
  error        text,
  finished_at  timestamptz
);
CREATE INDEX dashboard_audit_object ON dashboard_audit (kind, namespace, name, id);

-- The change log. seq comes from change_log_seq, taken only while holding the
-- change-log advisory lock (released at commit), so seq order is commit order.
CREATE SEQUENCE change_log_seq;
CREATE TABLE change_log (
  seq               bigint PRIMARY KEY,
  at                timestamptz NOT NULL DEFAULT clock_timestamp(),
  kind              text NOT NULL CHECK (kind IN ('event', 'StoryRun', 'WorkQueue', 'Budget', 'Pod')),
  op                text NOT NULL CHECK (op IN ('append', 'upsert', 'delete')),
  uid               uuid NOT NULL,
  namespace         text,
  name              text,
  story_uid         uuid,
  event_id          bigint,
  resource_version  text,
  object            jsonb
);
CREATE INDEX change_log_at ON change_log (at);

-- What was pruned: a reader asking for changes after a seq below this must start over.
CREATE TABLE change_log_horizon (
  id              boolean PRIMARY KEY DEFAULT true CHECK (id),
  pruned_through  bigint NOT NULL DEFAULT 0
);
INSERT INTO change_log_horizon DEFAULT VALUES;

-- The last version of every object the change log recorded, so a relist after
-- a restart records only what changed, and several dashboard replicas record
-- each version once.
CREATE TABLE resource_state (
  kind              text NOT NULL,
  uid               uuid NOT NULL,
  namespace         text NOT NULL,
  name              text NOT NULL,
  resource_version  text NOT NULL,
  queue             text,
  story_uid         uuid,
  deleted           boolean NOT NULL DEFAULT false,
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (kind, uid)
);
CREATE INDEX resource_state_name ON resource_state (kind, namespace, name);

-- 1853055852 = 'nscl': the change-log lock.
CREATE FUNCTION next_change_seq() RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(1853055852);
  RETURN nextval('change_log_seq');
END $$;

-- Execution events enter the change log at commit (a deferred constraint
-- trigger), holding the lock only from then on. Heartbeats stay out: they
-- change nothing a person watches.
CREATE FUNCTION log_execution_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO change_log (seq, kind, op, uid, story_uid, event_id)
  VALUES (next_change_seq(), 'event', 'append', NEW.story_uid, NEW.story_uid, NEW.id);
  PERFORM pg_notify('nightshift_changes', '');
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER execution_events_change_log AFTER INSERT ON execution_events
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.type <> 'Heartbeat')
  EXECUTE FUNCTION log_execution_event();

-- Whether resource version b is newer than a: etcd's versions are integers;
-- anything else counts as newer when different.
CREATE FUNCTION resource_version_newer(a text, b text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN a ~ '^[0-9]+$' AND b ~ '^[0-9]+$' THEN b::numeric > a::numeric ELSE a <> b END
$$;

-- Records a batch of observed resource changes (a jsonb array of
-- {kind, op, uid, namespace, name, resourceVersion, queue, storyUid, object}):
-- each version once, deletions once. Returns how many entered the change log.
CREATE FUNCTION record_resource_changes(p_changes jsonb) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  c jsonb;
  changed boolean;
  n integer := 0;
BEGIN
  FOR c IN SELECT value FROM jsonb_array_elements(p_changes) LOOP
    IF c->>'op' = 'delete' THEN
      UPDATE resource_state SET deleted = true, updated_at = now()
       WHERE kind = c->>'kind' AND uid = (c->>'uid')::uuid AND NOT deleted;
      changed := FOUND;
    ELSE
      INSERT INTO resource_state AS s (kind, uid, namespace, name, resource_version, queue, story_uid)
      VALUES (c->>'kind', (c->>'uid')::uuid, c->>'namespace', c->>'name', c->>'resourceVersion',
              c->>'queue', (c->>'storyUid')::uuid)
      ON CONFLICT (kind, uid) DO UPDATE
         SET resource_version = excluded.resource_version, queue = excluded.queue, name = excluded.name,
             namespace = excluded.namespace, story_uid = excluded.story_uid, deleted = false, updated_at = now()
       WHERE NOT s.deleted AND resource_version_newer(s.resource_version, excluded.resource_version);
      changed := FOUND;
    END IF;
    IF changed THEN
      INSERT INTO change_log (seq, kind, op, uid, namespace, name, story_uid, resource_version, object)
      VALUES (next_change_seq(), c->>'kind', c->>'op', (c->>'uid')::uuid, c->>'namespace', c->>'name',
              (c->>'storyUid')::uuid, c->>'resourceVersion', c->'object');
      n := n + 1;
    END IF;
  END LOOP;
  IF n > 0 THEN
    PERFORM pg_notify('nightshift_changes', '');
  END IF;
  RETURN n;
END $$;

-- Down Migration
DROP FUNCTION record_resource_changes(jsonb);
DROP FUNCTION resource_version_newer(text, text);
DROP TRIGGER execution_events_change_log ON execution_events;
DROP FUNCTION log_execution_event();
DROP FUNCTION next_change_seq();
DROP TABLE resource_state;
DROP TABLE change_log_horizon;
DROP TABLE change_log;
DROP SEQUENCE change_log_seq;
DROP TABLE dashboard_audit;
DROP TABLE dashboard_tokens;
