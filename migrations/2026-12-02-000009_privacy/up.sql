-- Privacy: retention settings per workshop, the privacy audit log, versioned consent texts,
-- erasure marks, and events that carry ids instead of copies of personal data.

-- How long each workshop keeps what it no longer needs, in days, and its privacy notice; the
-- retention job erases the rest once a day: `ran_on` is the workshop's local day it last ran
-- for, `due_at` the next local midnight, when it is due again. One row per workshop, made with
-- the workshop.
CREATE TABLE privacy_settings (
    workshop_id       uuid PRIMARY KEY REFERENCES workshops (id) ON DELETE CASCADE,
    conversation_days integer NOT NULL DEFAULT 90 CHECK (conversation_days BETWEEN 1 AND 3650),
    closed_lead_days  integer NOT NULL DEFAULT 1095 CHECK (closed_lead_days BETWEEN 30 AND 3650),
    event_days        integer NOT NULL DEFAULT 30 CHECK (event_days BETWEEN 1 AND 365),
    notice_url        text,
    ran_on            date,
    due_at            timestamptz,
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX privacy_settings_due_idx ON privacy_settings (due_at NULLS FIRST);
INSERT INTO privacy_settings (workshop_id) SELECT id FROM workshops;

CREATE FUNCTION carbot_workshop_privacy_settings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO privacy_settings (workshop_id) VALUES (NEW.id);
    RETURN NULL;
END
$$;
CREATE TRIGGER workshops_privacy_settings AFTER INSERT ON workshops
    FOR EACH ROW EXECUTE FUNCTION carbot_workshop_privacy_settings();

-- Every text a widget showed as the consent of the lead form, per workshop and language. The
-- id is derived from the workshop, the language and the text, so serving a text twice records
-- it once; a lead names the one its widget showed.
CREATE TABLE consent_texts (
    id          uuid PRIMARY KEY,
    workshop_id uuid NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
    locale      text NOT NULL,
    text        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX consent_texts_workshop_idx ON consent_texts (workshop_id, created_at);

ALTER TABLE leads
    ADD COLUMN consent_text_id uuid REFERENCES consent_texts (id),
    ADD COLUMN consent_locale text,
    ADD COLUMN consent_withdrawn_at timestamptz,
    ADD COLUMN erased_at timestamptz;
ALTER TABLE conversations ADD COLUMN erased_at timestamptz;
-- An erased lead keeps no way to reach the person.
ALTER TABLE leads DROP CONSTRAINT leads_check;
ALTER TABLE leads ADD CONSTRAINT leads_contact_check
    CHECK (email IS NOT NULL OR phone IS NOT NULL OR erased_at IS NOT NULL);

-- Who exported or erased how much, and when; never the data itself.
CREATE TABLE privacy_audit (
    id            uuid PRIMARY KEY,
    workshop_id   uuid NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
    actor_user_id uuid REFERENCES users (id) ON DELETE SET NULL,
    actor         text NOT NULL CHECK (actor IN ('USER', 'VISITOR', 'RETENTION')),
    action        text NOT NULL
        CHECK (action IN ('EXPORT', 'ERASE', 'WITHDRAW_CONSENT', 'VISITOR_DELETE', 'RETENTION')),
    counts        jsonb NOT NULL DEFAULT '{}',
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX privacy_audit_workshop_idx ON privacy_audit (workshop_id, created_at DESC);

-- An e-mail about an erased person that was still waiting is not sent any more.
ALTER TABLE outbox DROP CONSTRAINT outbox_status_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_status_check
    CHECK (status IN ('PENDING', 'SENT', 'LOGGED', 'FAILED', 'BOUNCED', 'SUPPRESSED', 'ERASED'));

-- A phone number as a key: digits only, without the international prefix of Germany or a
-- leading 0, so that "+49 171 1234567", "0171/1234567" and "0049 171 1234567" meet.
CREATE FUNCTION carbot_phone_key(phone text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT nullif(regexp_replace(regexp_replace(regexp_replace(phone, '\D', '', 'g'), '^(00)?49', ''), '^0+', ''), '')
$$;

CREATE INDEX leads_email_idx ON leads (workshop_id, email) WHERE email IS NOT NULL;
CREATE INDEX conversations_retention_idx ON conversations (workshop_id, created_at) WHERE erased_at IS NULL;
CREATE INDEX events_created_idx ON events (workshop_id, created_at);

-- Stored events keep ids only; subscribers load the rows, which an erasure changes in place.
UPDATE events SET payload = jsonb_build_object('conversationId', payload -> 'conversation' -> 'id')
    WHERE kind IN ('CONVERSATION_STARTED', 'TAKEN_OVER', 'RELEASED') AND payload ? 'conversation';
UPDATE events SET payload = jsonb_build_object(
        'messageId', payload -> 'message' -> 'id',
        'conversationId', payload -> 'message' -> 'conversation_id')
    WHERE kind = 'MESSAGE' AND payload ? 'message';
UPDATE events SET payload = jsonb_build_object('leadId', payload -> 'lead' -> 'id')
    WHERE kind = 'LEAD_CREATED' AND payload ? 'lead';
UPDATE events SET payload = jsonb_build_object('leadId', payload -> 'lead' -> 'id', 'change', payload -> 'change')
    WHERE kind = 'LEAD_UPDATED' AND payload ? 'lead';
