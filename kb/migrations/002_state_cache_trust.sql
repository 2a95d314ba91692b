-- scrumloop knowledge base, version 2: who runs an iteration (crash takeover), the carried-forward
-- state, the shard answer cache, dismissals, bench runs, and the columns rules, symbols, consensus
-- and redaction counts need. Append-only as before: every history table refuses UPDATE and DELETE.

ALTER TABLE iterations ADD COLUMN host TEXT;
ALTER TABLE iterations ADD COLUMN pid INTEGER;
ALTER TABLE iterations ADD COLUMN heartbeat_at TEXT;

-- attempts: the outcome set grows (cached answers, rungs skipped for a cooldown or a window too
-- small), so the table is rebuilt with the wider CHECK; rows are copied as they are.
CREATE TABLE attempts_v2 (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  iteration_id INTEGER NOT NULL REFERENCES iterations(id),
  path         TEXT NOT NULL,
  shard_index  INTEGER NOT NULL,
  rung         TEXT NOT NULL,
  model        TEXT NOT NULL,
  outcome      TEXT NOT NULL CHECK (outcome IN ('accepted', 'thin', 'invalid', 'error', 'timeout', 'cached', 'skipped')),
  reason       TEXT,
  latency_ms   INTEGER NOT NULL DEFAULT 0,
  tokens_in    INTEGER NOT NULL DEFAULT 0,
  tokens_out   INTEGER NOT NULL DEFAULT 0,
  cost_usd     REAL NOT NULL DEFAULT 0,
  output_format TEXT,
  server       TEXT,
  purpose      TEXT NOT NULL DEFAULT 'review' CHECK (purpose IN ('review', 'reduce')),
  created_at   TEXT NOT NULL,
  redactions   INTEGER NOT NULL DEFAULT 0,
  prompt_sha   TEXT
);
INSERT INTO attempts_v2 (id, iteration_id, path, shard_index, rung, model, outcome, reason, latency_ms, tokens_in, tokens_out, cost_usd, output_format, server, purpose, created_at)
  SELECT id, iteration_id, path, shard_index, rung, model, outcome, reason, latency_ms, tokens_in, tokens_out, cost_usd, output_format, server, purpose, created_at FROM attempts;
DROP TABLE attempts;
ALTER TABLE attempts_v2 RENAME TO attempts;
CREATE INDEX attempts_iteration ON attempts(iteration_id, path);
CREATE TRIGGER attempts_no_update BEFORE UPDATE ON attempts
BEGIN
  SELECT RAISE(ABORT, 'attempts rows are append-only');
END;
CREATE TRIGGER attempts_no_delete BEFORE DELETE ON attempts
BEGIN
  SELECT RAISE(ABORT, 'attempts are never deleted');
END;

-- Live table: a dismissal is created and may be undone (undone_at set), never deleted.
CREATE TABLE dismissals (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  fingerprint TEXT NOT NULL,
  path        TEXT NOT NULL,
  reason      TEXT NOT NULL,
  created_at  TEXT NOT NULL,
  undone_at   TEXT
);
CREATE INDEX dismissals_fingerprint ON dismissals(fingerprint);
CREATE TRIGGER dismissals_no_delete BEFORE DELETE ON dismissals
BEGIN
  SELECT RAISE(ABORT, 'dismissals are never deleted; undo one instead');
END;

ALTER TABLE findings ADD COLUMN rule TEXT;
ALTER TABLE findings ADD COLUMN symbol TEXT;
ALTER TABLE findings ADD COLUMN agreement INTEGER;
-- The dismissal that keeps this finding out of verdicts and metrics (NULL: it counts).
ALTER TABLE findings ADD COLUMN dismissal_id INTEGER REFERENCES dismissals(id);
CREATE TRIGGER findings_no_delete BEFORE DELETE ON findings
BEGIN
  SELECT RAISE(ABORT, 'findings are never deleted');
END;
CREATE TRIGGER metrics_no_delete BEFORE DELETE ON metrics
BEGIN
  SELECT RAISE(ABORT, 'metrics are never deleted');
END;

-- The state after an iteration: every file of the swept tree with its latest review across
-- iterations. One row per file per iteration, written when the iteration finishes.
CREATE TABLE state (
  iteration_id             INTEGER NOT NULL REFERENCES iterations(id),
  path                     TEXT NOT NULL,
  from_iteration_id        INTEGER NOT NULL REFERENCES iterations(id),
  content_sha              TEXT,
  stale                    INTEGER NOT NULL CHECK (stale IN (0, 1)),
  verdict                  TEXT NOT NULL CHECK (verdict IN ('pass', 'fail', 'needs_patch', 'unreviewed', 'skipped')),
  gradient_tier            TEXT CHECK (gradient_tier IN ('auto', 'review', 'block')),
  findings_count           INTEGER NOT NULL DEFAULT 0,
  findings_high            INTEGER NOT NULL DEFAULT 0,
  findings_medium          INTEGER NOT NULL DEFAULT 0,
  findings_low             INTEGER NOT NULL DEFAULT 0,
  critical_failures_count  INTEGER NOT NULL DEFAULT 0,
  missing_components_count INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (iteration_id, path)
);
CREATE INDEX state_path ON state(path);
CREATE TRIGGER state_no_update BEFORE UPDATE ON state
BEGIN
  SELECT RAISE(ABORT, 'state rows are append-only');
END;
CREATE TRIGGER state_no_delete BEFORE DELETE ON state
BEGIN
  SELECT RAISE(ABORT, 'state rows are never deleted');
END;

-- Accepted shard answers by the hash of what was asked (model, rendered prompt, schema): a shard
-- asked the same question again is answered from here (attempt outcome `cached`, cost 0).
CREATE TABLE shard_cache (
  prompt_sha   TEXT NOT NULL,
  rung         TEXT NOT NULL,
  model        TEXT NOT NULL,
  verdict_json TEXT NOT NULL,
  output_format TEXT,
  iteration_id INTEGER NOT NULL REFERENCES iterations(id),
  created_at   TEXT NOT NULL
);
CREATE INDEX shard_cache_sha ON shard_cache(prompt_sha);
CREATE TRIGGER shard_cache_no_update BEFORE UPDATE ON shard_cache
BEGIN
  SELECT RAISE(ABORT, 'shard_cache rows are append-only');
END;

CREATE TABLE bench_runs (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  started_at    TEXT NOT NULL,
  config_json   TEXT NOT NULL,
  rung          TEXT NOT NULL,
  planted       INTEGER NOT NULL,
  found         INTEGER NOT NULL,
  recall        REAL,
  precision     REAL,
  noise_per_kloc REAL,
  tokens        INTEGER NOT NULL DEFAULT 0,
  cost_usd      REAL NOT NULL DEFAULT 0,
  cost_per_tp   REAL,
  stability     REAL,
  details_json  TEXT
);
CREATE TRIGGER bench_runs_no_update BEFORE UPDATE ON bench_runs
BEGIN
  SELECT RAISE(ABORT, 'bench_runs rows are append-only');
END;
CREATE TRIGGER bench_runs_no_delete BEFORE DELETE ON bench_runs
BEGIN
  SELECT RAISE(ABORT, 'bench_runs are never deleted');
END;
