-- Up Migration
-- Budgets in the ledger: the daily and weekly limits in force for each Budget
-- (confirmed increases only), the extensions granted per period, every change
-- with who made it, the alerts raised once per period and limit, and the cost
-- estimate of every story beside what it really cost.

-- The Budget as the ledger enforces it, written by the Budget controller.
-- key is '<namespace>/<name>' (budget_windows.scope_key of its day and week).
CREATE TABLE budgets (
  key               text PRIMARY KEY,
  namespace         text NOT NULL,
  name              text NOT NULL,
  uid               uuid,
  timezone          text NOT NULL,
  week_starts_on    text NOT NULL,
  daily_limit_usd   numeric(14, 6) CHECK (daily_limit_usd >= 0),
  weekly_limit_usd  numeric(14, 6) CHECK (weekly_limit_usd >= 0),
  alert_threshold   numeric(4, 3) NOT NULL DEFAULT 0.8,
  generation        bigint NOT NULL DEFAULT 0,
  updated_at        timestamptz NOT NULL DEFAULT now()
);

-- Confirmed extensions: extra spending for the one period containing granted_at.
CREATE TABLE budget_extensions (
  budget_key    text NOT NULL REFERENCES budgets (key) ON DELETE CASCADE,
  fingerprint   text NOT NULL,
  scope         text NOT NULL CHECK (scope IN ('daily', 'weekly')),
  period_start  timestamptz NOT NULL,
  amount_usd    numeric(14, 6) NOT NULL CHECK (amount_usd >= 0),
  reason        text NOT NULL,
  granted_at    timestamptz NOT NULL,
  PRIMARY KEY (budget_key, fingerprint)
);

-- Every change of what a Budget enforces: who (managedFields or the
-- dashboard's audit annotation), when, from → to, and why. Keyed by the
-- spec generation, so a repeated reconcile records it once.
CREATE TABLE budget_changes (
  id          bigserial PRIMARY KEY,
  budget_key  text NOT NULL,
  generation  bigint NOT NULL,
  field       text NOT NULL,
  from_value  text,
  to_value    text,
  kind        text NOT NULL CHECK (kind IN ('Created', 'Lowered', 'Raised', 'Changed')),
  changed_by  text,
  reason      text,
  changed_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (budget_key, generation, field)
);

-- One alert per Budget, limit, period and kind: the notifier sends the rows
-- whose notified_at is null (NOTIFY nightshift_budget_alert wakes it).
CREATE TABLE budget_alerts (
  id            bigserial PRIMARY KEY,
  budget_key    text NOT NULL,
  scope         text NOT NULL CHECK (scope IN ('daily', 'weekly')),
  period_start  timestamptz NOT NULL,
  kind          text NOT NULL CHECK (kind IN ('Threshold', 'Exceeded')),
  spent_usd     numeric(14, 6) NOT NULL,
  limit_usd     numeric(14, 6) NOT NULL,
  message       text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  notified_at   timestamptz,
  UNIQUE (budget_key, scope, period_start, kind)
);
CREATE INDEX budget_alerts_unsent ON budget_alerts (created_at) WHERE notified_at IS NULL;

-- A story's cost estimate, made once before admission, and what it really
-- cost once it finished.
CREATE TABLE cost_estimates (
  story_uid           uuid PRIMARY KEY,
  namespace           text NOT NULL,
  name                text NOT NULL,
  repository          text NOT NULL,
  model               text NOT NULL,
  criteria            integer NOT NULL,
  description_length  integer NOT NULL,
  budget_keys         text[] NOT NULL DEFAULT '{}',
  p50_usd             numeric(14, 6) NOT NULL,
  p90_usd             numeric(14, 6) NOT NULL,
  samples             integer NOT NULL,
  basis               text NOT NULL,
  estimated_at        timestamptz NOT NULL DEFAULT now(),
  actual_usd          numeric(14, 6),
  finished_at         timestamptz
);
CREATE INDEX cost_estimates_finished ON cost_estimates (model, repository, finished_at) WHERE actual_usd IS NOT NULL;
CREATE INDEX cost_estimates_budgets ON cost_estimates USING gin (budget_keys);

-- The Budgets an attempt draws on besides its own cap (the queue's and the
-- story's budgetRef), written by the operator with the attempt.
ALTER TABLE execution_sessions ADD COLUMN budget_keys text[] NOT NULL DEFAULT '{}';

-- A reservation whose holder died is charged at its worst case (the provider
-- may have billed the call in flight) and marked unconfirmed.
ALTER TABLE cost_reservations DROP CONSTRAINT cost_reservations_state_check;
ALTER TABLE cost_reservations ADD CONSTRAINT cost_reservations_state_check
  CHECK (state IN ('reserved', 'settled', 'released', 'expired', 'unconfirmed'));
CREATE INDEX budget_windows_open ON budget_windows (scope_key, period_end) WHERE scope IN ('daily', 'weekly');

-- What a Budget's day or week may spend: its limit plus the extensions granted
-- for that very period; null (no limit) stays null.
CREATE FUNCTION budget_window_limit(p_key text, p_scope text, p_start timestamptz) RETURNS numeric
LANGUAGE sql STABLE AS $$
  SELECT CASE p_scope WHEN 'daily' THEN b.daily_limit_usd ELSE b.weekly_limit_usd END
         + COALESCE((SELECT sum(e.amount_usd) FROM budget_extensions e
                      WHERE e.budget_key = p_key AND e.scope = p_scope AND e.period_start = p_start), 0)
    FROM budgets b WHERE b.key = p_key
$$;

-- The windows of the given Budget periods, made when missing with the limit
-- in force. The Budget rows are share-locked, so a limit change (which
-- updates them and their windows in one transaction) is seen whole.
CREATE FUNCTION open_budget_windows(p_keys text[], p_scopes text[], p_starts timestamptz[], p_ends timestamptz[])
RETURNS SETOF budget_windows LANGUAGE plpgsql AS $$
DECLARE
  missing text;
BEGIN
  PERFORM 1 FROM budgets WHERE key = ANY (p_keys) ORDER BY key FOR SHARE;
  SELECT k INTO missing FROM unnest(p_keys) AS k WHERE NOT EXISTS (SELECT 1 FROM budgets WHERE key = k) LIMIT 1;
  IF missing IS NOT NULL THEN
    RAISE EXCEPTION 'Budget % is not known to the ledger (is there such a Budget, and is the operator running?)', missing
      USING ERRCODE = 'NSB01';
  END IF;
  INSERT INTO budget_windows (scope, scope_key, period_start, period_end, limit_usd)
  SELECT w.scope, w.key, w.start, w.finish, budget_window_limit(w.key, w.scope, w.start)
    FROM unnest(p_keys, p_scopes, p_starts, p_ends) AS w (key, scope, start, finish)
  ON CONFLICT (scope, scope_key, period_start) DO NOTHING;
  RETURN QUERY
    SELECT bw.* FROM budget_windows bw
      JOIN unnest(p_keys, p_scopes, p_starts) AS w (key, scope, start)
        ON bw.scope = w.scope AND bw.scope_key = w.key AND bw.period_start = w.start;
END $$;

-- After a Budget's limits or extensions changed: its current and future
-- windows follow (call in the transaction that changed them).
CREATE FUNCTION apply_budget_limits(p_key text) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  n integer;
BEGIN
  UPDATE budget_windows SET limit_usd = budget_window_limit(scope_key, scope, period_start)
   WHERE scope_key = p_key AND scope IN ('daily', 'weekly') AND period_end > now();
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $$;

-- Charges a reservation whose holder died at its worst case, as unconfirmed.
CREATE FUNCTION settle_unconfirmed(p_id uuid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  r cost_reservations;
BEGIN
  SELECT * INTO r FROM cost_reservations WHERE id = p_id FOR UPDATE;
  IF NOT FOUND OR r.state <> 'reserved' THEN
    RETURN;
  END IF;
  PERFORM settle_cost(p_id, r.amount_usd);
  UPDATE cost_reservations SET state = 'unconfirmed' WHERE id = p_id;
END $$;

-- Reservations past their TTL: their holder is taken for dead.
CREATE OR REPLACE FUNCTION expire_cost_reservations() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  r record;
  n integer := 0;
BEGIN
  FOR r IN SELECT id FROM cost_reservations WHERE state = 'reserved' AND expires_at < now() ORDER BY id LOOP
    PERFORM settle_unconfirmed(r.id);
    n := n + 1;
  END LOOP;
  RETURN n;
END $$;

-- Down Migration
CREATE OR REPLACE FUNCTION expire_cost_reservations() RETURNS integer LANGUAGE plpgsql AS $$
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
DROP FUNCTION settle_unconfirmed(uuid);
DROP FUNCTION apply_budget_limits(text);
DROP FUNCTION open_budget_windows(text[], text[], timestamptz[], timestamptz[]);
DROP FUNCTION budget_window_limit(text, text, timestamptz);
DROP INDEX budget_windows_open;
UPDATE cost_reservations SET state = 'expired' WHERE state = 'unconfirmed';
ALTER TABLE cost_reservations DROP CONSTRAINT cost_reservations_state_check;
ALTER TABLE cost_reservations ADD CONSTRAINT cost_reservations_state_check
  CHECK (state IN ('reserved', 'settled', 'released', 'expired'));
ALTER TABLE execution_sessions DROP COLUMN budget_keys;
DROP TABLE cost_estimates;
DROP TABLE budget_alerts;
DROP TABLE budget_changes;
DROP TABLE budget_extensions;
DROP TABLE budgets;
