-- scrumloop knowledge base: append-only for real, also against a writer that is not scrum (the sqlite3 shell opens
-- the file without our pragmas). REPLACE deletes the row it conflicts with without firing delete triggers (unless
-- recursive_triggers is on, which no other client sets), so each history table gets a BEFORE INSERT trigger that
-- refuses a row whose key already exists: that is exactly the row REPLACE would rewrite. A finished iteration takes
-- no new rows, and the shard cache is never deleted from (it is never evicted: see docs/RELIABILITY.md).
-- Kb checks at every open that these triggers, and those of the earlier versions, are present and unchanged.

CREATE TRIGGER iterations_no_replace BEFORE INSERT ON iterations
WHEN EXISTS (SELECT 1 FROM iterations WHERE id = NEW.id)
BEGIN
  SELECT RAISE(ABORT, 'iterations are append-only: REPLACE would rewrite an existing iteration');
END;
CREATE TRIGGER iterations_start_running BEFORE INSERT ON iterations
WHEN NEW.status IS NOT 'running'
BEGIN
  SELECT RAISE(ABORT, 'an iteration starts running; only scrum finishes it');
END;

CREATE TRIGGER file_reviews_no_replace BEFORE INSERT ON file_reviews
WHEN EXISTS (SELECT 1 FROM file_reviews WHERE id = NEW.id OR (iteration_id = NEW.iteration_id AND path = NEW.path))
BEGIN
  SELECT RAISE(ABORT, 'file_reviews rows are append-only: REPLACE would rewrite an existing review');
END;
CREATE TRIGGER file_reviews_iteration_open BEFORE INSERT ON file_reviews
WHEN NOT EXISTS (SELECT 1 FROM iterations WHERE id = NEW.iteration_id AND status <> 'done')
BEGIN
  SELECT RAISE(ABORT, 'file_reviews: the iteration is finished (or does not exist); a finished iteration takes no new rows');
END;

CREATE TRIGGER findings_no_replace BEFORE INSERT ON findings
WHEN EXISTS (SELECT 1 FROM findings WHERE id = NEW.id)
BEGIN
  SELECT RAISE(ABORT, 'findings rows are append-only: REPLACE would rewrite an existing finding');
END;
CREATE TRIGGER findings_iteration_open BEFORE INSERT ON findings
WHEN NOT EXISTS (SELECT 1 FROM iterations WHERE id = NEW.iteration_id AND status <> 'done')
BEGIN
  SELECT RAISE(ABORT, 'findings: the iteration is finished (or does not exist); a finished iteration takes no new rows');
END;

CREATE TRIGGER attempts_no_replace BEFORE INSERT ON attempts
WHEN EXISTS (SELECT 1 FROM attempts WHERE id = NEW.id)
BEGIN
  SELECT RAISE(ABORT, 'attempts rows are append-only: REPLACE would rewrite an existing attempt');
END;
CREATE TRIGGER attempts_iteration_open BEFORE INSERT ON attempts
WHEN NOT EXISTS (SELECT 1 FROM iterations WHERE id = NEW.iteration_id AND status <> 'done')
BEGIN
  SELECT RAISE(ABORT, 'attempts: the iteration is finished (or does not exist); a finished iteration takes no new rows');
END;

CREATE TRIGGER metrics_no_replace BEFORE INSERT ON metrics
WHEN EXISTS (SELECT 1 FROM metrics WHERE iteration_id = NEW.iteration_id AND name = NEW.name)
BEGIN
  SELECT RAISE(ABORT, 'metrics rows are append-only: REPLACE would rewrite an existing metric');
END;
-- The observer's delivery counts are the one exception: they are known only once its queue drained, after the finish.
CREATE TRIGGER metrics_iteration_open BEFORE INSERT ON metrics
WHEN NOT EXISTS (SELECT 1 FROM iterations WHERE id = NEW.iteration_id AND (status <> 'done' OR NEW.name IN ('observer_delivered', 'observer_dropped')))
BEGIN
  SELECT RAISE(ABORT, 'metrics: the iteration is finished (or does not exist); a finished iteration takes no new rows');
END;

CREATE TRIGGER state_no_replace BEFORE INSERT ON state
WHEN EXISTS (SELECT 1 FROM state WHERE iteration_id = NEW.iteration_id AND path = NEW.path)
BEGIN
  SELECT RAISE(ABORT, 'state rows are append-only: REPLACE would rewrite an existing state row');
END;
CREATE TRIGGER state_iteration_open BEFORE INSERT ON state
WHEN NOT EXISTS (SELECT 1 FROM iterations WHERE id = NEW.iteration_id AND status <> 'done')
BEGIN
  SELECT RAISE(ABORT, 'state: the iteration is finished (or does not exist); a finished iteration takes no new rows');
END;

CREATE TRIGGER shard_cache_no_replace BEFORE INSERT ON shard_cache
WHEN EXISTS (SELECT 1 FROM shard_cache WHERE rowid = NEW.rowid)
BEGIN
  SELECT RAISE(ABORT, 'shard_cache rows are append-only: REPLACE would rewrite an existing answer');
END;
CREATE TRIGGER shard_cache_iteration_open BEFORE INSERT ON shard_cache
WHEN NOT EXISTS (SELECT 1 FROM iterations WHERE id = NEW.iteration_id AND status <> 'done')
BEGIN
  SELECT RAISE(ABORT, 'shard_cache: the iteration is finished (or does not exist); a finished iteration takes no new rows');
END;
CREATE TRIGGER shard_cache_no_delete BEFORE DELETE ON shard_cache
BEGIN
  SELECT RAISE(ABORT, 'shard_cache rows are never deleted: the cache is never evicted (--no-cache skips it)');
END;

CREATE TRIGGER dismissals_no_replace BEFORE INSERT ON dismissals
WHEN EXISTS (SELECT 1 FROM dismissals WHERE id = NEW.id)
BEGIN
  SELECT RAISE(ABORT, 'dismissals are never replaced; undo one and dismiss again');
END;

CREATE TRIGGER bench_runs_no_replace BEFORE INSERT ON bench_runs
WHEN EXISTS (SELECT 1 FROM bench_runs WHERE id = NEW.id)
BEGIN
  SELECT RAISE(ABORT, 'bench_runs rows are append-only: REPLACE would rewrite an existing result');
END;
