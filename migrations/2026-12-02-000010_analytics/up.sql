-- Analytics facts: what happened and when, named by ids only (no personal data), so that they
-- outlive erasure and retention and the KPIs of a period stay what they were. The analytics
-- query aggregates them in SQL; the index leads with (workshop, kind, time) because every
-- figure is "facts of one kind of one workshop in a range".
CREATE TABLE facts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workshop_id uuid NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('WIDGET_OPENED', 'CONVERSATION_STARTED', 'VISITOR_MESSAGE',
        'ASSISTANT_ANSWER', 'OWNER_MESSAGE', 'LEAD_SUBMITTED', 'LEAD_STATUS_CHANGED', 'TAKEN_OVER',
        'FIRST_RESPONSE')),
    at timestamptz NOT NULL DEFAULT now(),
    client_key_id uuid,
    conversation_id uuid,
    lead_id uuid,
    -- The visitor's message (an assistant answer names the question it answered).
    message_id uuid,
    -- Origin and path of the page (never its query).
    page text,
    -- ASSISTANT_ANSWER: what the question asked for, and whether the catalog had an answer.
    intent text CHECK (intent IN ('PRICE', 'DURATION', 'APPOINTMENT', 'OPENING_HOURS', 'CONTACT',
        'SERVICE', 'GREETING', 'OTHER')),
    matched boolean,
    -- ASSISTANT_ANSWER: the services cited; LEAD_SUBMITTED: the services requested.
    service_ids uuid[] NOT NULL DEFAULT '{}',
    -- LEAD_STATUS_CHANGED: the new status.
    status text,
    -- FIRST_RESPONSE: seconds from the lead to the first owner action, all hours and opening
    -- hours only.
    seconds integer CHECK (seconds >= 0),
    open_seconds integer CHECK (open_seconds >= 0)
);
CREATE INDEX facts_by_kind_idx ON facts (workshop_id, kind, at)
    INCLUDE (client_key_id, conversation_id);
CREATE INDEX facts_by_conversation_idx ON facts (conversation_id, kind)
    WHERE conversation_id IS NOT NULL;
CREATE INDEX facts_by_lead_idx ON facts (lead_id) WHERE lead_id IS NOT NULL;

-- The first owner action on a lead (status change, note or reply); its fact is written once.
ALTER TABLE leads ADD COLUMN first_response_at timestamptz;

-- What happened before facts were recorded, as far as the rows tell it.
INSERT INTO facts (workshop_id, kind, at, client_key_id, conversation_id, page)
    SELECT workshop_id, 'CONVERSATION_STARTED', created_at, client_key_id, id, page_url
    FROM conversations;
INSERT INTO facts (workshop_id, kind, at, client_key_id, conversation_id, message_id)
    SELECT m.workshop_id, m.role || '_MESSAGE', m.created_at, c.client_key_id, c.id, m.id
    FROM messages m JOIN conversations c ON c.id = m.conversation_id
    WHERE m.role IN ('VISITOR', 'OWNER');
INSERT INTO facts (workshop_id, kind, at, client_key_id, conversation_id, message_id, intent,
        matched, service_ids)
    SELECT m.workshop_id, 'ASSISTANT_ANSWER', m.created_at, c.client_key_id, c.id,
        (SELECT q.id FROM messages q
            WHERE q.conversation_id = m.conversation_id AND q.role = 'VISITOR'
              AND q.created_at <= m.created_at
            ORDER BY q.created_at DESC LIMIT 1),
        CASE WHEN cardinality(m.cited_service_ids) > 0 THEN 'SERVICE' ELSE 'OTHER' END,
        cardinality(m.cited_service_ids) > 0, m.cited_service_ids
    FROM messages m JOIN conversations c ON c.id = m.conversation_id
    WHERE m.role = 'ASSISTANT';
INSERT INTO facts (workshop_id, kind, at, client_key_id, conversation_id, lead_id, page,
        service_ids)
    SELECT workshop_id, 'LEAD_SUBMITTED', created_at, client_key_id, conversation_id, id,
        source_url, service_ids
    FROM leads;
