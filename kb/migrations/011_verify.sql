-- scrumloop knowledge base: verification ([verify]). A finding carries what the verifier made of it
-- (disposition confirmed/refuted/uncertain, NULL when not verified), the model that said so and why, and
-- which rung produced it (for the overturn rates of `scrum rungs`). Attempts gain the purpose `verify`
-- and the outcome `refused` (a model that declines the task), so the table is rebuilt with the wider
-- CHECKs; rows are copied as they are and its append-only triggers are made again.
ALTER TABLE findings ADD COLUMN disposition TEXT CHECK (disposition IN ('confirmed', 'refuted', 'uncertain'));
ALTER TABLE findings ADD COLUMN verified_by TEXT;
ALTER TABLE findings ADD COLUMN verify_reason TEXT;
ALTER TABLE findings ADD COLUMN rung TEXT;

CREATE TABLE attempts_v3 (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  iteration_id INTEGER NOT NULL REFERENCES iterations(id),
  path         TEXT NOT NULL,
  shard_index  INTEGER NOT NULL,
  rung         TEXT NOT NULL,
  model        TEXT NOT NULL,
  outcome      TEXT NOT NULL CHECK (outcome IN ('accepted', 'thin', 'invalid', 'error', 'timeout', 'cached', 'skipped', 'refused')),
  reason       TEXT,
  latency_ms   INTEGER NOT NULL DEFAULT 0,
  tokens_in    INTEGER NOT NULL DEFAULT 0,
  tokens_out   INTEGER NOT NULL DEFAULT 0,
  cost_usd     REAL NOT NULL DEFAULT 0,
  output_format TEXT,
  server       TEXT,
  purpose      TEXT NOT NULL DEFAULT 'review' CHECK (purpose IN ('review', 'reduce', 'verify')),
  created_at   TEXT NOT NULL,
  redactions   INTEGER NOT NULL DEFAULT 0,
  prompt_sha   TEXT
);
INSERT INTO attempts_v3 (id, iteration_id, path, shard_index, rung, model, outcome, reason, latency_ms, tokens_in, tokens_out, cost_usd, output_format, server, purpose, created_at, redactions, prompt_sha)
  SELECT id, iteration_id, path, shard_index, rung, model, outcome, reason, latency_ms, tokens_in, tokens_out, cost_usd, output_format, server, purpose, created_at, redactions, prompt_sha FROM attempts;
DROP TABLE attempts;
ALTER TABLE attempts_v3 RENAME TO attempts;
CREATE INDEX attempts_iteration ON attempts(iteration_id, path);
CREATE TRIGGER attempts_no_update BEFORE UPDATE ON attempts
BEGIN
  SELECT RAISE(ABORT, 'attempts rows are append-only');
END;
CREATE TRIGGER attempts_no_delete BEFORE DELETE ON attempts
BEGIN
  SELECT RAISE(ABORT, 'attempts are never deleted');
END;
