-- scrumloop knowledge base: what each model server was found to accept, and refusals as their own outcome.
-- server_traits: one row each time a trait of a (server, model) was learnt or changed: `shape` (the request shape
-- the server accepted: json_schema, json_object or none), `systemRole` (false when its chat template drops the system
-- message), `window` (the context window it named). The newest row per (server, model, trait) is what is known.
-- Append-only: the history says when a server changed.
CREATE TABLE server_traits (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  server      TEXT NOT NULL,
  model       TEXT NOT NULL,
  trait       TEXT NOT NULL CHECK (trait IN ('shape', 'systemRole', 'window')),
  value       TEXT NOT NULL,
  reason      TEXT NOT NULL,
  learnt_at   TEXT NOT NULL
);
CREATE INDEX server_traits_key ON server_traits(server, model, trait, id);
CREATE TRIGGER server_traits_no_update BEFORE UPDATE ON server_traits
BEGIN
  SELECT RAISE(ABORT, 'server_traits rows are append-only');
END;
CREATE TRIGGER server_traits_no_delete BEFORE DELETE ON server_traits
BEGIN
  SELECT RAISE(ABORT, 'server_traits are never deleted');
END;

-- attempts: a model that declines to review ("I can't help with that") is outcome `refused`, so the table is rebuilt
-- with the wider CHECK; rows are copied as they are.
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
