-- The knowledge base's schema for PostgreSQL: the tables, columns and checks that SQLite's migrations 001-012 make,
-- in PostgreSQL's words (bigint for INTEGER, double precision for REAL, text compared byte by byte as SQLite does).
-- A later SQLite migration gets a PostgreSQL file of the same name in this folder (tests/kb/engines.test.ts checks).
-- The append-only triggers are in append-only.sql (run after this file, and again when one is found missing).

-- Functions SQLite has and PostgreSQL spells differently, so the KB's queries read the same on both engines. (A
-- count of rows meeting a condition is written `sum(CASE WHEN … THEN 1 ELSE 0 END)`, which both run natively.)
CREATE OR REPLACE FUNCTION round(double precision, integer) RETURNS double precision
  LANGUAGE sql IMMUTABLE AS $$ SELECT round($1::numeric, $2)::double precision $$;
CREATE OR REPLACE FUNCTION scrum_concat(acc text, b text) RETURNS text
  LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN b IS NULL THEN acc WHEN acc IS NULL THEN b ELSE acc || ',' || b END $$;
CREATE AGGREGATE group_concat(text) (SFUNC = scrum_concat, STYPE = text);

CREATE TABLE iterations (
  id             bigserial PRIMARY KEY,
  label          text COLLATE "C",
  status         text NOT NULL CHECK (status IN ('running', 'done', 'aborted')),
  started_at     text NOT NULL,
  finished_at    text,
  config_json    text NOT NULL,
  git_commit     text,
  targets_json   text NOT NULL DEFAULT '[]',
  error          text,
  host           text,
  pid            bigint,
  heartbeat_at   text,
  partition      text,
  partition_json text
);
CREATE INDEX iterations_label ON iterations(label);

CREATE TABLE dismissals (
  id          bigserial PRIMARY KEY,
  fingerprint text COLLATE "C" NOT NULL,
  path        text COLLATE "C" NOT NULL,
  reason      text NOT NULL,
  created_at  text NOT NULL,
  undone_at   text
);
CREATE INDEX dismissals_fingerprint ON dismissals(fingerprint);

CREATE TABLE file_reviews (
  id                          bigserial PRIMARY KEY,
  iteration_id                bigint NOT NULL REFERENCES iterations(id),
  path                        text COLLATE "C" NOT NULL,
  content_sha                 text,
  verdict                     text NOT NULL CHECK (verdict IN ('pass', 'fail', 'needs_patch', 'unreviewed', 'skipped')),
  alignment_score             double precision,
  output_format               text,
  confidence_avg              double precision,
  confidence_min              double precision,
  gradient_tier               text CHECK (gradient_tier IN ('auto', 'review', 'block')),
  findings_count              bigint NOT NULL DEFAULT 0,
  critical_failures_count     bigint NOT NULL DEFAULT 0,
  missing_components_count    bigint NOT NULL DEFAULT 0,
  verified_components_count   bigint NOT NULL DEFAULT 0,
  shards                      bigint NOT NULL DEFAULT 0,
  tree_split_fired            bigint NOT NULL DEFAULT 0,
  attempts_made               bigint NOT NULL DEFAULT 0,
  thin_rejections             bigint NOT NULL DEFAULT 0,
  escalations                 bigint NOT NULL DEFAULT 0,
  accepted_model              text,
  tokens_in                   bigint NOT NULL DEFAULT 0,
  tokens_out                  bigint NOT NULL DEFAULT 0,
  cost_usd                    double precision NOT NULL DEFAULT 0,
  latency_ms                  bigint NOT NULL DEFAULT 0,
  review_json                 text,
  error                       text,
  skip_reason                 text,
  coverage_complete           bigint,
  evidence_unverified         bigint NOT NULL DEFAULT 0,
  reduced_by                  text,
  shard_strategy              text,
  created_at                  text NOT NULL,
  instructions                text,
  reviewer                    text CHECK (reviewer IN ('model', 'static_fallback', 'static')),
  degraded_reason             text,
  UNIQUE (iteration_id, path)
);
CREATE INDEX file_reviews_path ON file_reviews(path);

CREATE TABLE findings (
  id                bigserial PRIMARY KEY,
  iteration_id      bigint NOT NULL REFERENCES iterations(id),
  path              text COLLATE "C" NOT NULL,
  category          text NOT NULL,
  severity          text NOT NULL CHECK (severity IN ('high', 'medium', 'low')),
  confidence        double precision NOT NULL,
  title             text NOT NULL,
  evidence          text NOT NULL,
  line_start        bigint NOT NULL,
  line_end          bigint NOT NULL,
  fingerprint       text COLLATE "C" NOT NULL,
  evidence_verified bigint NOT NULL CHECK (evidence_verified IN (0, 1)),
  shard_index       bigint,
  rule              text,
  symbol            text,
  agreement         bigint,
  dismissal_id      bigint REFERENCES dismissals(id),
  disposition       text CHECK (disposition IN ('confirmed', 'refuted', 'uncertain')),
  verified_by       text,
  verify_reason     text,
  rung              text
);
CREATE INDEX findings_iteration ON findings(iteration_id, path);
CREATE INDEX findings_fingerprint ON findings(fingerprint);

CREATE TABLE attempts (
  id            bigserial PRIMARY KEY,
  iteration_id  bigint NOT NULL REFERENCES iterations(id),
  path          text COLLATE "C" NOT NULL,
  shard_index   bigint NOT NULL,
  rung          text NOT NULL,
  model         text NOT NULL,
  outcome       text NOT NULL CHECK (outcome IN ('accepted', 'thin', 'invalid', 'error', 'timeout', 'cached', 'skipped', 'refused')),
  reason        text,
  latency_ms    bigint NOT NULL DEFAULT 0,
  tokens_in     bigint NOT NULL DEFAULT 0,
  tokens_out    bigint NOT NULL DEFAULT 0,
  cost_usd      double precision NOT NULL DEFAULT 0,
  output_format text,
  server        text,
  purpose       text NOT NULL DEFAULT 'review' CHECK (purpose IN ('review', 'reduce', 'verify')),
  created_at    text NOT NULL,
  redactions    bigint NOT NULL DEFAULT 0,
  prompt_sha    text
);
CREATE INDEX attempts_iteration ON attempts(iteration_id, path);

CREATE TABLE metrics (
  iteration_id bigint NOT NULL REFERENCES iterations(id),
  name         text COLLATE "C" NOT NULL,
  value        double precision,
  PRIMARY KEY (iteration_id, name)
);

CREATE TABLE notes (
  id           bigserial PRIMARY KEY,
  path         text COLLATE "C" NOT NULL,
  text         text NOT NULL,
  status       text NOT NULL CHECK (status IN ('open', 'picked_up', 'resolved')),
  created_in   bigint REFERENCES iterations(id),
  picked_up_in bigint REFERENCES iterations(id),
  created_at   text NOT NULL
);
CREATE INDEX notes_path ON notes(path, status);

CREATE TABLE state (
  iteration_id             bigint NOT NULL REFERENCES iterations(id),
  path                     text COLLATE "C" NOT NULL,
  from_iteration_id        bigint NOT NULL REFERENCES iterations(id),
  content_sha              text,
  stale                    bigint NOT NULL CHECK (stale IN (0, 1)),
  verdict                  text NOT NULL CHECK (verdict IN ('pass', 'fail', 'needs_patch', 'unreviewed', 'skipped')),
  gradient_tier            text CHECK (gradient_tier IN ('auto', 'review', 'block')),
  findings_count           bigint NOT NULL DEFAULT 0,
  findings_high            bigint NOT NULL DEFAULT 0,
  findings_medium          bigint NOT NULL DEFAULT 0,
  findings_low             bigint NOT NULL DEFAULT 0,
  critical_failures_count  bigint NOT NULL DEFAULT 0,
  missing_components_count bigint NOT NULL DEFAULT 0,
  reviewer                 text CHECK (reviewer IN ('model', 'static_fallback', 'static')),
  degraded                 bigint NOT NULL DEFAULT 0 CHECK (degraded IN (0, 1)),
  degraded_reason          text,
  PRIMARY KEY (iteration_id, path)
);
CREATE INDEX state_path ON state(path);

-- `rowid`: the insertion order SQLite keeps implicitly (the cache answers with the newest row).
CREATE TABLE shard_cache (
  rowid         bigserial PRIMARY KEY,
  prompt_sha    text NOT NULL,
  rung          text NOT NULL,
  model         text NOT NULL,
  verdict_json  text NOT NULL,
  output_format text,
  iteration_id  bigint NOT NULL REFERENCES iterations(id),
  created_at    text NOT NULL
);
CREATE INDEX shard_cache_sha ON shard_cache(prompt_sha);

CREATE TABLE bench_runs (
  id             bigserial PRIMARY KEY,
  started_at     text NOT NULL,
  config_json    text NOT NULL,
  rung           text NOT NULL,
  planted        bigint NOT NULL,
  found          bigint NOT NULL,
  recall         double precision,
  precision      double precision,
  noise_per_kloc double precision,
  tokens         bigint NOT NULL DEFAULT 0,
  cost_usd       double precision NOT NULL DEFAULT 0,
  cost_per_tp    double precision,
  stability      double precision,
  details_json   text
);

CREATE TABLE meta (
  key   text PRIMARY KEY,
  value text NOT NULL
);

CREATE TABLE disk_stats (
  path        text COLLATE "C" PRIMARY KEY,
  size        bigint NOT NULL,
  mtime_ms    double precision NOT NULL,
  content_sha text NOT NULL
);

CREATE TABLE server_traits (
  id        bigserial PRIMARY KEY,
  server    text COLLATE "C" NOT NULL,
  model     text COLLATE "C" NOT NULL,
  trait     text COLLATE "C" NOT NULL CHECK (trait IN ('shape', 'systemRole', 'window')),
  value     text NOT NULL,
  reason    text NOT NULL,
  learnt_at text NOT NULL
);
CREATE INDEX server_traits_key ON server_traits(server, model, trait, id);
