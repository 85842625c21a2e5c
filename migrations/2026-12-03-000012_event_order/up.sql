-- The order integrators replay events in (`events(after:)`): by the writing transaction's id,
-- then by event id. Ids are taken before commit, so a transaction that commits late can hold a
-- lower id than events already read; listed only once every older transaction has ended
-- (`xid` below the snapshot's xmin), events appear in this order and never behind a cursor.
ALTER TABLE events ADD COLUMN xid bigint NOT NULL DEFAULT (pg_current_xact_id()::text::bigint);
CREATE INDEX events_replay_idx ON events (workshop_id, xid, id);
