-- The service catalog: categories and services with price ranges, searchable the way German
-- customers write (stemming, missing umlauts, typos).

CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;

-- unaccent() is only STABLE (its dictionary could change); pinning the dictionary makes it fit
-- for indexes and generated columns.
CREATE FUNCTION carbot_fold(input text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN lower(public.unaccent('public.unaccent'::regdictionary, input));

-- A service's name and aliases as one folded text (array_to_string is only STABLE in general,
-- but for text[] it cannot change).
CREATE FUNCTION carbot_service_terms(name text, aliases text[]) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN carbot_fold(name || ' ' || array_to_string(aliases, ' '));

CREATE TABLE service_categories (
    id          uuid PRIMARY KEY,
    workshop_id uuid NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
    name        text NOT NULL,
    sort_order  integer NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (workshop_id, name)
);

CREATE TABLE services (
    id               uuid PRIMARY KEY,
    workshop_id      uuid NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
    category_id      uuid NOT NULL REFERENCES service_categories (id),
    name             text NOT NULL,
    description      text NOT NULL DEFAULT '',
    aliases          text[] NOT NULL DEFAULT '{}',
    min_price_cents  integer NOT NULL CHECK (min_price_cents >= 0),
    max_price_cents  integer NOT NULL CHECK (max_price_cents >= min_price_cents AND max_price_cents <= 100000000),
    -- {"KLEINWAGEN": [min, max], …}: prices per vehicle class, within the overall range.
    vehicle_prices   jsonb NOT NULL DEFAULT '{}',
    duration_minutes integer CHECK (duration_minutes > 0),
    active           boolean NOT NULL DEFAULT true,
    sort_order       integer NOT NULL,
    -- Name in the standard catalog this service was installed from (re-installs skip it).
    standard_name    text,
    deleted_at       timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    search_text      text GENERATED ALWAYS AS (carbot_service_terms(name, aliases)) STORED,
    search_document  tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('german'::regconfig, carbot_service_terms(name, aliases)), 'A')
        || setweight(to_tsvector('german'::regconfig, carbot_fold(description)), 'C')
    ) STORED
);
CREATE UNIQUE INDEX services_name_per_category ON services (category_id, lower(name)) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX services_standard_name ON services (workshop_id, standard_name) WHERE standard_name IS NOT NULL;
CREATE INDEX services_listing ON services (workshop_id, sort_order, id) WHERE deleted_at IS NULL;
CREATE INDEX services_search_document ON services USING gin (search_document);
CREATE INDEX services_search_text ON services USING gin (search_text gin_trgm_ops);
