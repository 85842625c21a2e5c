-- The chat: widget keys, conversations, messages, leads, and the event log that feeds live
-- subscriptions (and lets them resume after a disconnect or a restart).

ALTER TABLE workshops
    ADD COLUMN widget_greeting text,
    ADD COLUMN widget_position text NOT NULL DEFAULT 'BOTTOM_RIGHT'
        CHECK (widget_position IN ('BOTTOM_RIGHT', 'BOTTOM_LEFT')),
    ADD COLUMN consent_text    text;

CREATE TABLE client_keys (
    id              uuid PRIMARY KEY,
    workshop_id     uuid NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
    key             text NOT NULL UNIQUE CHECK (key ~ '^cb_pub_[0-9a-f]{32}$'),
    label           text NOT NULL,
    -- `https://autohaus-nord.de`, `https://*.autohaus-nord.de`: scheme, host, optional port.
    allowed_origins text[] NOT NULL,
    revoked_at      timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX client_keys_workshop_idx ON client_keys (workshop_id, created_at DESC, id DESC);

CREATE TABLE conversations (
    id             uuid PRIMARY KEY,
    workshop_id    uuid NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
    client_key_id  uuid NOT NULL REFERENCES client_keys (id),
    locale         text NOT NULL DEFAULT 'de',
    page_url       text,
    -- Set while the owner answers personally; the assistant is paused.
    taken_over_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    taken_over_at  timestamptz,
    message_count  integer NOT NULL DEFAULT 0,
    last_message_at timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conversations_workshop_idx ON conversations (workshop_id, created_at DESC, id DESC);
CREATE INDEX conversations_client_key_idx ON conversations (client_key_id, created_at);

CREATE TABLE messages (
    id               uuid PRIMARY KEY,
    conversation_id  uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    workshop_id      uuid NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
    role             text NOT NULL CHECK (role IN ('VISITOR', 'ASSISTANT', 'OWNER')),
    body             text NOT NULL CHECK (length(body) BETWEEN 1 AND 8000),
    cited_service_ids uuid[] NOT NULL DEFAULT '{}',
    offer_lead_form  boolean NOT NULL DEFAULT false,
    -- `builtin` or `openai` for assistant replies.
    assistant        text,
    tokens           integer NOT NULL DEFAULT 0,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX messages_conversation_idx ON messages (conversation_id, created_at, id);

CREATE TABLE leads (
    id                  uuid PRIMARY KEY,
    workshop_id         uuid NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
    conversation_id     uuid REFERENCES conversations (id) ON DELETE SET NULL,
    client_key_id       uuid REFERENCES client_keys (id),
    status              text NOT NULL DEFAULT 'NEW'
        CHECK (status IN ('NEW', 'CONTACTED', 'QUOTED', 'BOOKED', 'WON', 'LOST')),
    name                text NOT NULL,
    email               text,
    phone               text,
    vehicle_make        text,
    vehicle_model       text,
    vehicle_year        integer,
    service_ids         uuid[] NOT NULL DEFAULT '{}',
    preferred_date      date,
    message             text,
    -- The consent as given: the exact text shown, when, from where.
    consent_text        text NOT NULL,
    consent_at          timestamptz NOT NULL,
    consent_ip          text,
    source_url          text,
    estimated_min_cents integer,
    estimated_max_cents integer,
    -- Captured beyond the plan's monthly lead allowance: kept, and the owner is asked to upgrade.
    over_plan_limit     boolean NOT NULL DEFAULT false,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CHECK (email IS NOT NULL OR phone IS NOT NULL),
    search_text         text GENERATED ALWAYS AS (carbot_fold(
        name || ' ' || coalesce(email, '') || ' ' || coalesce(phone, '') || ' ' ||
        coalesce(vehicle_make, '') || ' ' || coalesce(vehicle_model, '') || ' ' || coalesce(message, '')
    )) STORED
);
CREATE INDEX leads_workshop_idx ON leads (workshop_id, created_at DESC, id DESC);
CREATE INDEX leads_search_idx ON leads USING gin (search_text gin_trgm_ops);

CREATE TABLE lead_notes (
    id          uuid PRIMARY KEY,
    lead_id     uuid NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    workshop_id uuid NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
    author_id   uuid REFERENCES users (id) ON DELETE SET NULL,
    body        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX lead_notes_lead_idx ON lead_notes (lead_id, created_at, id);

-- Every change that live subscribers see, written in the transaction of the change itself.
CREATE TABLE events (
    id              bigserial PRIMARY KEY,
    workshop_id     uuid NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
    conversation_id uuid REFERENCES conversations (id) ON DELETE CASCADE,
    lead_id         uuid REFERENCES leads (id) ON DELETE CASCADE,
    kind            text NOT NULL,
    payload         jsonb NOT NULL DEFAULT '{}',
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_workshop_idx ON events (workshop_id, id);
CREATE INDEX events_conversation_idx ON events (conversation_id, id) WHERE conversation_id IS NOT NULL;

-- Model tokens spent per workshop and day (the OpenAI assistant's daily budget).
CREATE TABLE assistant_usage (
    workshop_id uuid NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
    day         date NOT NULL,
    tokens      bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (workshop_id, day)
);
