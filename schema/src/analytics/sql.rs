//! The analytics statements. Every one reads `facts` of one workshop in one range through
//! `facts_by_kind_idx`; `$1` is the workshop, `$2`/`$3` the range's instants, `$4` the client
//! key or NULL. A conversation counts when the visitor wrote in it (an opened window that got
//! no message is a widget open, not a conversation).

/// The engaged-conversation test, for a `CONVERSATION_STARTED` fact `f`.
macro_rules! engaged {
    ($f:literal) => {
        concat!(
            "EXISTS (SELECT 1 FROM facts v WHERE v.conversation_id = ",
            $f,
            ".conversation_id AND v.kind = 'VISITOR_MESSAGE')"
        )
    };
}

/// Facts of the range, for `WITH`.
macro_rules! in_range {
    () => {
        "f AS (SELECT * FROM facts WHERE workshop_id = $1 AND at >= $2 AND at < $3 \
         AND ($4::uuid IS NULL OR client_key_id = $4))"
    };
}

/// Totals of one period; the estimate of a lead is the middle of its range.
pub const TOTALS: &str = concat!(
    "WITH ",
    in_range!(),
    " SELECT
        count(*) FILTER (WHERE f.kind = 'WIDGET_OPENED') AS widget_opens,
        count(*) FILTER (WHERE f.kind = 'CONVERSATION_STARTED' AND ",
    engaged!("f"),
    ") AS conversations,
        count(*) FILTER (WHERE f.kind = 'CONVERSATION_STARTED' AND ",
    engaged!("f"),
    " AND EXISTS (SELECT 1 FROM facts x WHERE x.conversation_id = f.conversation_id
                       AND x.kind = 'LEAD_SUBMITTED')) AS converted,
        count(*) FILTER (WHERE f.kind = 'VISITOR_MESSAGE') AS visitor_messages,
        count(*) FILTER (WHERE f.kind = 'LEAD_SUBMITTED') AS leads,
        count(*) FILTER (WHERE f.kind = 'LEAD_SUBMITTED' AND l.status = 'WON') AS won,
        coalesce(sum((l.estimated_min_cents + l.estimated_max_cents) / 2)
            FILTER (WHERE f.kind = 'LEAD_SUBMITTED' AND l.status NOT IN ('WON', 'LOST')), 0)::bigint
            AS pipeline_cents,
        coalesce(sum((l.estimated_min_cents + l.estimated_max_cents) / 2)
            FILTER (WHERE f.kind = 'LEAD_SUBMITTED' AND l.status = 'WON'), 0)::bigint AS won_cents
     FROM f LEFT JOIN leads l ON l.id = f.lead_id AND f.kind = 'LEAD_SUBMITTED'"
);

/// The series: `$5` the time zone, `$6` the unit (`day`, `week`, `month`), `$7`/`$8` the
/// range's first and last local day. Buckets start at the unit's local start, the first one at
/// the range's first day.
pub const SERIES: &str = concat!(
    "WITH ",
    in_range!(),
    ", counted AS (
        SELECT date_trunc($6, f.at AT TIME ZONE $5)::date AS bucket,
            count(*) FILTER (WHERE f.kind = 'WIDGET_OPENED') AS widget_opens,
            count(*) FILTER (WHERE f.kind = 'CONVERSATION_STARTED' AND ",
    engaged!("f"),
    ") AS conversations,
            count(*) FILTER (WHERE f.kind = 'VISITOR_MESSAGE') AS visitor_messages,
            count(*) FILTER (WHERE f.kind = 'LEAD_SUBMITTED') AS leads
        FROM f GROUP BY 1
     ), buckets AS (
        SELECT b::date AS bucket
        FROM generate_series(date_trunc($6, $7::date::timestamp), $8::date::timestamp,
                             ('1 ' || $6)::interval) b
     )
     SELECT greatest(b.bucket, $7::date) AS start,
        least((b.bucket + ('1 ' || $6)::interval)::date - 1, $8::date) AS end,
        coalesce(c.widget_opens, 0) AS widget_opens,
        coalesce(c.conversations, 0) AS conversations,
        coalesce(c.visitor_messages, 0) AS visitor_messages,
        coalesce(c.leads, 0) AS leads
     FROM buckets b LEFT JOIN counted c USING (bucket)
     ORDER BY b.bucket"
);

/// Engaged conversations by local weekday (1 = Monday) and hour; `$5` the time zone.
pub const PEAK_HOURS: &str = concat!(
    "WITH ",
    in_range!(),
    " SELECT extract(isodow FROM f.at AT TIME ZONE $5)::int AS weekday,
        extract(hour FROM f.at AT TIME ZONE $5)::int AS hour,
        count(*) AS conversations
     FROM f WHERE f.kind = 'CONVERSATION_STARTED' AND ",
    engaged!("f"),
    " GROUP BY 1, 2"
);

/// The time to the first owner action on the leads of the range.
pub const RESPONSE_TIME: &str = concat!(
    "WITH ",
    in_range!(),
    " SELECT count(*) AS leads, count(r.id) AS responded,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY r.seconds) AS median,
        percentile_cont(0.9) WITHIN GROUP (ORDER BY r.seconds) AS p90,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY r.open_seconds) AS open_median,
        percentile_cont(0.9) WITHIN GROUP (ORDER BY r.open_seconds) AS open_p90
     FROM f LEFT JOIN facts r ON r.lead_id = f.lead_id AND r.kind = 'FIRST_RESPONSE'
     WHERE f.kind = 'LEAD_SUBMITTED'"
);

/// Questions the assistant answered, by what they asked for.
pub const QUESTIONS: &str = concat!(
    "WITH ",
    in_range!(),
    " SELECT f.intent, count(*) AS questions,
        count(*) FILTER (WHERE f.matched) AS matched
     FROM f WHERE f.kind = 'ASSISTANT_ANSWER' AND f.intent IS NOT NULL
     GROUP BY 1 ORDER BY 2 DESC, 1"
);

/// Services asked about (cited in answers) and requested (in leads); `$5` how many.
pub const SERVICES: &str = concat!(
    "WITH ",
    in_range!(),
    " SELECT s.service_id,
        count(*) FILTER (WHERE s.kind = 'LEAD_SUBMITTED') AS leads,
        count(*) FILTER (WHERE s.kind = 'ASSISTANT_ANSWER') AS answers
     FROM (SELECT f.kind, unnest(f.service_ids) AS service_id FROM f
           WHERE f.kind IN ('LEAD_SUBMITTED', 'ASSISTANT_ANSWER')) s
     GROUP BY 1 ORDER BY 2 DESC, 3 DESC, 1 LIMIT $5"
);

/// Questions that wanted the catalog and got no match, grouped by their words (case, spaces
/// and punctuation aside); erased messages are left out. `$5` how many groups.
pub const UNANSWERED: &str = concat!(
    "WITH ",
    in_range!(),
    ", asked AS (
        SELECT f.at, f.conversation_id, m.body,
            btrim(regexp_replace(lower(m.body), '[[:punct:][:space:]]+', ' ', 'g')) AS words
        FROM f JOIN messages m ON m.id = f.message_id
        JOIN conversations c ON c.id = m.conversation_id
        WHERE f.kind = 'ASSISTANT_ANSWER' AND NOT f.matched
          AND f.intent IN ('PRICE', 'DURATION', 'OTHER') AND c.erased_at IS NULL
     )
     SELECT (array_agg(body ORDER BY at DESC))[1] AS question, count(*) AS asked,
        max(at) AS last_asked_at,
        (array_agg(conversation_id ORDER BY at DESC))[1] AS conversation_id
     FROM asked WHERE words <> '' GROUP BY words
     ORDER BY 2 DESC, 3 DESC LIMIT $5"
);

/// Pages where engaged conversations started, with the leads that came from them; `$5` how
/// many.
pub const PAGES: &str = concat!(
    "WITH ",
    in_range!(),
    " SELECT f.page,
        count(*) FILTER (WHERE f.kind = 'CONVERSATION_STARTED') AS conversations,
        count(*) FILTER (WHERE f.kind = 'LEAD_SUBMITTED') AS leads
     FROM f WHERE f.page IS NOT NULL AND (f.kind = 'LEAD_SUBMITTED'
        OR (f.kind = 'CONVERSATION_STARTED' AND ",
    engaged!("f"),
    ")) GROUP BY 1 ORDER BY 2 DESC, 3 DESC, 1 LIMIT $5"
);

/// Usage per client key.
pub const CLIENT_KEYS: &str = concat!(
    "WITH ",
    in_range!(),
    " SELECT k.id, k.label,
        count(*) FILTER (WHERE f.kind = 'WIDGET_OPENED') AS widget_opens,
        count(*) FILTER (WHERE f.kind = 'CONVERSATION_STARTED' AND ",
    engaged!("f"),
    ") AS conversations,
        count(*) FILTER (WHERE f.kind = 'VISITOR_MESSAGE') AS visitor_messages,
        count(*) FILTER (WHERE f.kind = 'LEAD_SUBMITTED') AS leads
     FROM client_keys k LEFT JOIN f ON f.client_key_id = k.id
     WHERE k.workshop_id = $1 AND ($4::uuid IS NULL OR k.id = $4)
     GROUP BY k.id, k.label ORDER BY 6 DESC, 4 DESC, k.label"
);
