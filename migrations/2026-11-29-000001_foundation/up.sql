-- Tenants, people and their credentials.

CREATE TABLE workshops (
    id            uuid PRIMARY KEY,
    name          text NOT NULL,
    locale        text NOT NULL DEFAULT 'de',
    time_zone     text NOT NULL DEFAULT 'Europe/Berlin',
    phone         text,
    email         text,
    website       text,
    street        text,
    postal_code   text,
    city          text,
    country       text NOT NULL DEFAULT 'DE',
    brand_color   text,
    opening_hours jsonb NOT NULL DEFAULT '[]',
    plan_code     text NOT NULL DEFAULT 'PREMIUM' CHECK (plan_code IN ('BASIC', 'PREMIUM', 'ENTERPRISE')),
    trial_ends_at timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id                uuid PRIMARY KEY,
    email             text NOT NULL,
    password_hash     text NOT NULL,
    is_platform_admin boolean NOT NULL DEFAULT false,
    created_at        timestamptz NOT NULL DEFAULT now()
);
-- E-mail addresses are stored lower-cased; the unique index is the source of truth for EMAIL_TAKEN.
CREATE UNIQUE INDEX users_email_key ON users (email);

CREATE TABLE memberships (
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    workshop_id uuid NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
    role        text NOT NULL CHECK (role IN ('OWNER', 'STAFF')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, workshop_id)
);
CREATE INDEX memberships_workshop_idx ON memberships (workshop_id);

-- One row per sign-in. Every refresh token belongs to a session (its "family");
-- revoking the session invalidates its access tokens and all its refresh tokens at once.
CREATE TABLE sessions (
    id           uuid PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    workshop_id  uuid NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz,
    revoke_reason text
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE refresh_tokens (
    token_hash  bytea PRIMARY KEY,
    session_id  uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    workshop_id uuid NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id);

CREATE TABLE api_tokens (
    id           uuid PRIMARY KEY,
    workshop_id  uuid NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
    name         text NOT NULL,
    scopes       text[] NOT NULL,
    token_hash   bytea NOT NULL UNIQUE,
    token_prefix text NOT NULL,
    created_by   uuid REFERENCES users (id) ON DELETE SET NULL,
    expires_at   timestamptz,
    revoked_at   timestamptz,
    last_used_at timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX api_tokens_workshop_idx ON api_tokens (workshop_id, created_at DESC, id DESC);
