-- scrumloop knowledge base, version 1. Append-only: rows of finished iterations are never updated.
CREATE TABLE iterations (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  label        TEXT,
  status       TEXT NOT NULL CHECK (status IN ('running', 'done', 'aborted')),
  started_at   TEXT NOT NULL,
  finished_at  TEXT,
  config_json  TEXT NOT NULL,
  git_commit   TEXT,
  targets_json TEXT NOT NULL DEFAULT '[]',
  error        TEXT
);
CREATE INDEX iterations_label ON iterations(label);

CREATE TABLE file_reviews (
  id                          INTEGER PRIMARY KEY AUTOINCREMENT,
  iteration_id                INTEGER NOT NULL REFERENCES iterations(id),
  path                        TEXT NOT NULL,
  content_sha                 TEXT,
  verdict                     TEXT NOT NULL CHECK (verdict IN ('pass', 'fail', 'needs_patch', 'unreviewed', 'skipped')),
  alignment_score             REAL,
  output_format               TEXT,
  confidence_avg              REAL,
  confidence_min              REAL,
  gradient_tier               TEXT CHECK (gradient_tier IN ('auto', 'review', 'block')),
  findings_count              INTEGER NOT NULL DEFAULT 0,
  critical_failures_count     INTEGER NOT NULL DEFAULT 0,
  missing_components_count    INTEGER NOT NULL DEFAULT 0,
  verified_components_count   INTEGER NOT NULL DEFAULT 0,
  shards                      INTEGER NOT NULL DEFAULT 0,
  tree_split_fired            INTEGER NOT NULL DEFAULT 0,
  attempts_made               INTEGER NOT NULL DEFAULT 0,
  thin_rejections             INTEGER NOT NULL DEFAULT 0,
  escalations                 INTEGER NOT NULL DEFAULT 0,
  accepted_model              TEXT,
  tokens_in                   INTEGER NOT NULL DEFAULT 0,
  tokens_out                  INTEGER NOT NULL DEFAULT 0,
  cost_usd                    REAL NOT NULL DEFAULT 0,
  latency_ms                  INTEGER NOT NULL DEFAULT 0,
  review_json                 TEXT,
  error                       TEXT,
  skip_reason                 TEXT,
  coverage_complete           INTEGER,
  evidence_unverified         INTEGER NOT NULL DEFAULT 0,
  reduced_by                  TEXT,
  shard_strategy              TEXT,
  created_at                  TEXT NOT NULL,
  UNIQUE (iteration_id, path)
);
CREATE INDEX file_reviews_path ON file_reviews(path);

CREATE TABLE findings (
  id                INTEGER PRIMARY KEY AUTOINCREMENT,
  iteration_id      INTEGER NOT NULL REFERENCES iterations(id),
  path              TEXT NOT NULL,
  category          TEXT NOT NULL,
  severity          TEXT NOT NULL CHECK (severity IN ('high', 'medium', 'low')),
  confidence        REAL NOT NULL,
  title             TEXT NOT NULL,
  evidence          TEXT NOT NULL,
  line_start        INTEGER NOT NULL,
  line_end          INTEGER NOT NULL,
  fingerprint       TEXT NOT NULL,
  evidence_verified INTEGER NOT NULL CHECK (evidence_verified IN (0, 1)),
  shard_index       INTEGER
);
CREATE INDEX findings_iteration ON findings(iteration_id, path);
CREATE INDEX findings_fingerprint ON findings(fingerprint);

CREATE TABLE attempts (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  iteration_id INTEGER NOT NULL REFERENCES iterations(id),
  path         TEXT NOT NULL,
  shard_index  INTEGER NOT NULL,
  rung         TEXT NOT NULL,
  model        TEXT NOT NULL,
  outcome      TEXT NOT NULL CHECK (outcome IN ('accepted', 'thin', 'invalid', 'error', 'timeout')),
  reason       TEXT,
  latency_ms   INTEGER NOT NULL DEFAULT 0,
  tokens_in    INTEGER NOT NULL DEFAULT 0,
  tokens_out   INTEGER NOT NULL DEFAULT 0,
  cost_usd     REAL NOT NULL DEFAULT 0,
  output_format TEXT,
  server       TEXT,
  purpose      TEXT NOT NULL DEFAULT 'review' CHECK (purpose IN ('review', 'reduce')),
  created_at   TEXT NOT NULL
);
CREATE INDEX attempts_iteration ON attempts(iteration_id, path);

CREATE TABLE metrics (
  iteration_id INTEGER NOT NULL REFERENCES iterations(id),
  name         TEXT NOT NULL,
  value        REAL,
  PRIMARY KEY (iteration_id, name)
);

CREATE TABLE notes (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  path         TEXT NOT NULL,
  text         TEXT NOT NULL,
  status       TEXT NOT NULL CHECK (status IN ('open', 'picked_up', 'resolved')),
  created_in   INTEGER REFERENCES iterations(id),
  picked_up_in INTEGER REFERENCES iterations(id),
  created_at   TEXT NOT NULL
);
CREATE INDEX notes_path ON notes(path, status);

-- Append-only, enforced: finished iterations and their rows cannot change.
CREATE TRIGGER iterations_frozen BEFORE UPDATE ON iterations
WHEN OLD.status = 'done'
BEGIN
  SELECT RAISE(ABORT, 'iteration is finished; the knowledge base is append-only');
END;
CREATE TRIGGER file_reviews_no_update BEFORE UPDATE ON file_reviews
BEGIN
  SELECT RAISE(ABORT, 'file_reviews rows are append-only');
END;
CREATE TRIGGER findings_no_update BEFORE UPDATE ON findings
BEGIN
  SELECT RAISE(ABORT, 'findings rows are append-only');
END;
CREATE TRIGGER attempts_no_update BEFORE UPDATE ON attempts
BEGIN
  SELECT RAISE(ABORT, 'attempts rows are append-only');
END;
CREATE TRIGGER metrics_no_update BEFORE UPDATE ON metrics
BEGIN
  SELECT RAISE(ABORT, 'metrics rows are append-only');
END;
CREATE TRIGGER history_no_delete_iterations BEFORE DELETE ON iterations
BEGIN
  SELECT RAISE(ABORT, 'iterations are never deleted');
END;
CREATE TRIGGER history_no_delete_reviews BEFORE DELETE ON file_reviews
BEGIN
  SELECT RAISE(ABORT, 'file_reviews are never deleted');
END;
