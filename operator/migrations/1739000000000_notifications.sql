-- Up Migration
-- The notifier's outbox. Sources read the records the operator and the
-- runners write (execution_events, and the budget and queue records) from a
-- cursor and add one keyed row per notification and recipient; the planner
-- turns pending rows into deliveries (batched, de-duplicated, held in
-- do-not-disturb windows); the sender claims a delivery, sends it once, and
-- marks it. Every step is a keyed or guarded write, so a crash at any point
-- repeats nothing and loses nothing.

-- Where each source has read up to (a record id), advanced in the transaction
-- that adds what it read to the outbox.
CREATE TABLE notification_cursors (
  source      text PRIMARY KEY,
  position    bigint NOT NULL DEFAULT 0,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- One message to one recipient over one channel, carrying one or more
-- notifications of one kind (a batch of decisions is one message).
-- pending → claimed (taken by a sender, nothing sent yet) → sending (handed
-- to the provider) → sent; a failure the provider answered goes back to
-- pending with a later not_before (or failed when it will never succeed); a
-- send whose outcome is unknown (the sender died, or the connection broke
-- with no answer) becomes uncertain, never sent again, as neither Slack
-- webhooks nor SMTP de-duplicate.
CREATE TABLE notification_deliveries (
  id                bigserial PRIMARY KEY,
  recipient         text NOT NULL,
  channel           text NOT NULL CHECK (channel IN ('slack', 'email')),
  kind              text NOT NULL,
  severity          text NOT NULL CHECK (severity IN ('critical', 'normal')),
  notifications     jsonb NOT NULL,
  state             text NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'claimed', 'sending', 'sent', 'uncertain', 'failed')),
  attempts          integer NOT NULL DEFAULT 0,
  not_before        timestamptz NOT NULL DEFAULT now(),
  claimed_by        text,
  claimed_at        timestamptz,
  claim_expires_at  timestamptz,
  sent_at           timestamptz,
  provider_id       text,
  last_error        text,
  created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notification_deliveries_due ON notification_deliveries (not_before) WHERE state = 'pending';
CREATE INDEX notification_deliveries_claims ON notification_deliveries (claim_expires_at)
  WHERE state IN ('claimed', 'sending');

-- One row per notification and recipient: key names what it is about (the
-- record it came from), so reading a source twice adds nothing; fingerprint
-- is shared by identical alerts, which are not repeated within their period.
CREATE TABLE notification_outbox (
  id                 bigserial PRIMARY KEY,
  recipient          text NOT NULL,
  key                text NOT NULL,
  kind               text NOT NULL,
  severity           text NOT NULL CHECK (severity IN ('critical', 'normal')),
  fingerprint        text NOT NULL,
  notification       jsonb NOT NULL,
  occurred_at        timestamptz NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  state              text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'queued', 'suppressed')),
  delivery_id        bigint REFERENCES notification_deliveries (id),
  decided_at         timestamptz,
  suppressed_reason  text,
  UNIQUE (recipient, key)
);
CREATE INDEX notification_outbox_pending ON notification_outbox (recipient, created_at) WHERE state = 'pending';
CREATE INDEX notification_outbox_recent ON notification_outbox (recipient, fingerprint, decided_at)
  WHERE state = 'queued';

-- Down Migration
DROP TABLE notification_outbox;
DROP TABLE notification_deliveries;
DROP TABLE notification_cursors;
