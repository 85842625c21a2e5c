-- Webhook endpoints: where a workshop's events are POSTed, signed per Standard Webhooks with the
-- endpoint's secret (kept to sign; shown to the owner once). During a roll the previous secret
-- signs too until `previous_secret_expires_at`.
CREATE TABLE webhook_endpoints (
    id                         uuid PRIMARY KEY,
    workshop_id                uuid NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
    url                        text NOT NULL,
    description                text NOT NULL DEFAULT '',
    -- Public event types (`lead.created`, …).
    event_types                text[] NOT NULL CHECK (cardinality(event_types) > 0),
    active                     boolean NOT NULL DEFAULT true,
    -- Why the platform switched it off (410 Gone, failing for five days); NULL when the owner did.
    disabled_reason            text,
    secret                     text NOT NULL CHECK (secret LIKE 'whsec\_%'),
    previous_secret            text,
    previous_secret_expires_at timestamptz,
    -- The first failed delivery since the last one that succeeded.
    failing_since              timestamptz,
    created_at                 timestamptz NOT NULL DEFAULT now(),
    updated_at                 timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_endpoints_workshop_idx ON webhook_endpoints (workshop_id, created_at, id);

-- One message to one endpoint: its exact body (ids only, no personal data), kept so that every
-- attempt sends the same bytes under the same `webhook-id`, and the last attempt's outcome.
CREATE TABLE webhook_deliveries (
    id               uuid PRIMARY KEY,
    workshop_id      uuid NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
    endpoint_id      uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    -- The stored event (NULL for a test message); `webhook-id` is `msg_<event id>`.
    event_id         bigint,
    message_id       text NOT NULL,
    event_type       text NOT NULL,
    body             text NOT NULL,
    status           text NOT NULL DEFAULT 'PENDING'
        CHECK (status IN ('PENDING', 'SUCCEEDED', 'FAILED')),
    -- Attempts made so far; the schedule's next one is due at `next_attempt_at`.
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_attempt_at  timestamptz,
    response_status  integer,
    -- The start of the response's body, for the delivery log.
    response_body    text,
    duration_ms      integer,
    last_error       text,
    -- A redelivery names the delivery it repeats.
    redelivery_of    uuid REFERENCES webhook_deliveries (id) ON DELETE SET NULL,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at)
    WHERE status = 'PENDING';
CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (endpoint_id, created_at DESC, id DESC);
CREATE INDEX webhook_deliveries_workshop_idx ON webhook_deliveries (workshop_id, created_at);
