-- Organisations: the workshops (locations) of one business, run from one login.
CREATE TABLE organizations (
    id         uuid PRIMARY KEY,
    name       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO organizations (id, name, created_at) SELECT id, name, created_at FROM workshops;
ALTER TABLE workshops
    ADD COLUMN organization_id uuid REFERENCES organizations (id),
    -- A lead still NEW after this many minutes gets one reminder (sent during opening hours).
    ADD COLUMN lead_reminder_minutes integer NOT NULL DEFAULT 120
        CHECK (lead_reminder_minutes BETWEEN 5 AND 10080),
    -- The local day whose summary went out last (one summary per day across processes).
    ADD COLUMN daily_summary_sent_on date;
UPDATE workshops SET organization_id = id;
ALTER TABLE workshops ALTER COLUMN organization_id SET NOT NULL;
CREATE INDEX workshops_organization_idx ON workshops (organization_id);

-- Accounts from before verification existed count as verified.
ALTER TABLE users
    ADD COLUMN email_verified_at timestamptz,
    ADD COLUMN locale text NOT NULL DEFAULT 'de' CHECK (locale IN ('de', 'en', 'tr', 'pl'));
UPDATE users SET email_verified_at = created_at;

-- Which e-mails a member gets for this workshop.
ALTER TABLE memberships
    ADD COLUMN notify_new_lead      boolean NOT NULL DEFAULT false,
    ADD COLUMN notify_reminder      boolean NOT NULL DEFAULT false,
    ADD COLUMN notify_daily_summary boolean NOT NULL DEFAULT false;
UPDATE memberships SET notify_new_lead = true, notify_reminder = true, notify_daily_summary = true
    WHERE role = 'OWNER';

ALTER TABLE leads ADD COLUMN reminder_sent_at timestamptz;
CREATE INDEX leads_reminder_due_idx ON leads (created_at)
    WHERE status = 'NEW' AND reminder_sent_at IS NULL;

-- Single-use secrets e-mailed to a user: only their SHA-256 is kept.
CREATE TABLE account_tokens (
    token_hash bytea PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    text NOT NULL CHECK (purpose IN ('VERIFY_EMAIL', 'CHANGE_EMAIL', 'RESET_PASSWORD')),
    -- The address the link went to (for CHANGE_EMAIL the new address).
    email      text NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX account_tokens_user_idx ON account_tokens (user_id, purpose);

CREATE TABLE invitations (
    id          uuid PRIMARY KEY,
    workshop_id uuid NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
    email       text NOT NULL,
    role        text NOT NULL CHECK (role IN ('OWNER', 'STAFF')),
    token_hash  bytea NOT NULL UNIQUE,
    invited_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    expires_at  timestamptz NOT NULL,
    accepted_at timestamptz,
    revoked_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX invitations_workshop_idx ON invitations (workshop_id, created_at DESC);

-- Every e-mail, written in the transaction of the change that causes it and sent by a worker.
CREATE TABLE outbox (
    id              uuid PRIMARY KEY,
    workshop_id     uuid REFERENCES workshops (id) ON DELETE CASCADE,
    user_id         uuid REFERENCES users (id) ON DELETE SET NULL,
    lead_id         uuid REFERENCES leads (id) ON DELETE SET NULL,
    kind            text NOT NULL,
    recipient       text NOT NULL,
    -- Where the recipient's answer goes: the customer, for e-mails about a lead.
    reply_to        text,
    locale          text NOT NULL,
    subject         text NOT NULL,
    body_text       text NOT NULL,
    body_html       text NOT NULL,
    status          text NOT NULL DEFAULT 'PENDING'
        CHECK (status IN ('PENDING', 'SENT', 'LOGGED', 'FAILED', 'BOUNCED', 'SUPPRESSED')),
    attempts        integer NOT NULL DEFAULT 0,
    -- When the worker may (next) try; a claimed e-mail is pushed ahead by a lease.
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    sent_at         timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbox_due_idx ON outbox (next_attempt_at) WHERE status = 'PENDING';
CREATE INDEX outbox_created_idx ON outbox (created_at DESC);

-- Addresses that bounced permanently: nothing more is sent to them.
CREATE TABLE mail_suppressions (
    address    text PRIMARY KEY,
    reason     text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
