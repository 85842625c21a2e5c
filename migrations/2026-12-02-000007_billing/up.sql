-- Billing: what the workshop paid decides what it may use. `workshops` keeps the three facts
-- every request reads (plan, status, the end of what the status grants); `billing_accounts`
-- keeps the rest of the Stripe state; `stripe_events` is the webhook inbox; `invoices` the
-- invoices Stripe reported.

ALTER TABLE workshops
    ADD COLUMN billing_status text NOT NULL DEFAULT 'TRIALING'
        CHECK (billing_status IN ('TRIALING', 'ACTIVE', 'PAST_DUE', 'CANCELED', 'INACTIVE')),
    ADD COLUMN access_until timestamptz,
    ADD COLUMN trial_reminder_sent_at timestamptz;
UPDATE workshops SET billing_status = CASE WHEN subscription_active THEN 'ACTIVE' ELSE 'TRIALING' END;
ALTER TABLE workshops DROP COLUMN subscription_active;

CREATE TABLE billing_accounts (
    workshop_id uuid PRIMARY KEY REFERENCES workshops (id) ON DELETE CASCADE,
    managed_by text NOT NULL DEFAULT 'TRIAL' CHECK (managed_by IN ('TRIAL', 'STRIPE', 'MANUAL')),
    stripe_customer_id text UNIQUE,
    stripe_subscription_id text,
    -- The current subscription (see `stripe_subscriptions`) and Stripe's status of it
    -- (`active`, `past_due`, `unpaid`, …).
    stripe_status text,
    current_period_end timestamptz,
    cancel_at_period_end boolean NOT NULL DEFAULT false,
    past_due_since timestamptz,
    payment_method_id text,
    payment_method_kind text CHECK (payment_method_kind IN ('CARD', 'SEPA_DEBIT', 'OTHER')),
    payment_method_brand text,
    payment_method_last4 text,
    -- What the operator wrote with `carbot admin set-plan` (a deal outside Stripe).
    manual_note text,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- The newest snapshot of each Stripe subscription: when Stripe produced it (its event's
-- `created`) and the rank of its status for snapshots of the same second; older snapshots are
-- ignored. The workshop's current subscription is the newest paid-for one, else the newest.
CREATE TABLE stripe_subscriptions (
    id text PRIMARY KEY,
    workshop_id uuid NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
    status text NOT NULL,
    price_id text,
    current_period_end timestamptz,
    cancel_at_period_end boolean NOT NULL DEFAULT false,
    trial_end timestamptz,
    snapshot_at timestamptz NOT NULL,
    snapshot_rank smallint NOT NULL,
    past_due_since timestamptz
);
CREATE INDEX stripe_subscriptions_by_workshop ON stripe_subscriptions (workshop_id);

CREATE TABLE invoices (
    id text PRIMARY KEY,
    workshop_id uuid NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
    number text,
    amount_cents bigint NOT NULL,
    currency text NOT NULL,
    status text NOT NULL CHECK (status IN ('DRAFT', 'OPEN', 'PAID', 'UNCOLLECTIBLE', 'VOID')),
    hosted_url text,
    pdf_url text,
    created_at timestamptz NOT NULL,
    snapshot_at timestamptz NOT NULL,
    snapshot_rank smallint NOT NULL
);
CREATE INDEX invoices_by_workshop ON invoices (workshop_id, created_at DESC, id DESC);

-- Every verified webhook event, stored before Stripe gets its 2xx; processed by the billing
-- worker of any process (`FOR UPDATE SKIP LOCKED`), retried with backoff.
CREATE TABLE stripe_events (
    id text PRIMARY KEY,
    type text NOT NULL,
    payload text NOT NULL,
    created_at timestamptz NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    workshop_id uuid REFERENCES workshops (id) ON DELETE SET NULL,
    processed_at timestamptz,
    -- `APPLIED`, `STALE` (an older snapshot than one applied), `IGNORED` (a type or object we
    -- do not act on).
    outcome text,
    attempts int NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error text
);
CREATE INDEX stripe_events_pending ON stripe_events (next_attempt_at) WHERE processed_at IS NULL;

-- A key over the plan's limit after a downgrade: paused (never deleted), back on upgrade.
ALTER TABLE client_keys ADD COLUMN paused_by_plan boolean NOT NULL DEFAULT false;
