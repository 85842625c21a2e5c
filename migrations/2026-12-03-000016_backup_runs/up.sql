-- Scheduled backups: one row per scheduled time, so that of many `carbot serve` processes one
-- takes each backup (it holds an advisory lock while it runs) and the others see it done.
CREATE TABLE backup_runs (
    slot        timestamptz PRIMARY KEY,
    status      text NOT NULL CHECK (status IN ('RUNNING', 'OK', 'FAILED')),
    attempts    integer NOT NULL DEFAULT 1,
    host        text NOT NULL,
    file        text,
    size_bytes  bigint,
    error       text,
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
