DROP INDEX leads_conversation_idx;
