-- A conversation's lead: the conversations export (its lead status and first response per row),
-- the retention job (conversations without a lead), erasure and the chat views look leads up by
-- their conversation. Without the index each lookup read every lead of the table (a year's
-- conversations export of a busy workshop: 251 s).
CREATE INDEX leads_conversation_idx ON leads (conversation_id) WHERE conversation_id IS NOT NULL;
