-- Events get their copies back from the rows they name.
UPDATE events e SET payload = jsonb_build_object('conversation', to_jsonb(c))
    FROM conversations c
    WHERE e.kind IN ('CONVERSATION_STARTED', 'TAKEN_OVER', 'RELEASED')
      AND c.id = (e.payload ->> 'conversationId')::uuid;
UPDATE events e SET payload = jsonb_build_object('message', to_jsonb(m), 'cited', '[]'::jsonb)
    FROM messages m
    WHERE e.kind = 'MESSAGE' AND m.id = (e.payload ->> 'messageId')::uuid;
UPDATE events e SET payload = jsonb_build_object('lead', to_jsonb(l))
    FROM leads l
    WHERE e.kind = 'LEAD_CREATED' AND l.id = (e.payload ->> 'leadId')::uuid;
UPDATE events e SET payload = jsonb_build_object('lead', to_jsonb(l), 'change', e.payload -> 'change')
    FROM leads l
    WHERE e.kind = 'LEAD_UPDATED' AND l.id = (e.payload ->> 'leadId')::uuid;

DROP INDEX events_created_idx;
DROP INDEX conversations_retention_idx;
DROP INDEX leads_email_idx;
DROP FUNCTION carbot_phone_key(text);
UPDATE outbox SET status = 'SUPPRESSED' WHERE status = 'ERASED';
ALTER TABLE outbox DROP CONSTRAINT outbox_status_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_status_check
    CHECK (status IN ('PENDING', 'SENT', 'LOGGED', 'FAILED', 'BOUNCED', 'SUPPRESSED'));
DROP TABLE privacy_audit;
ALTER TABLE conversations DROP COLUMN erased_at;
-- Erased leads cannot go back under the old rule; they leave with the columns' meaning.
DELETE FROM leads WHERE email IS NULL AND phone IS NULL;
ALTER TABLE leads DROP CONSTRAINT leads_contact_check;
ALTER TABLE leads ADD CONSTRAINT leads_check CHECK (email IS NOT NULL OR phone IS NOT NULL);
ALTER TABLE leads
    DROP COLUMN erased_at,
    DROP COLUMN consent_withdrawn_at,
    DROP COLUMN consent_locale,
    DROP COLUMN consent_text_id;
DROP TABLE consent_texts;
DROP TRIGGER workshops_privacy_settings ON workshops;
DROP FUNCTION carbot_workshop_privacy_settings();
DROP TABLE privacy_settings;
