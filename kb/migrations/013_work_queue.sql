-- scrumloop knowledge base: workers on one iteration (`scrum run --workers --iteration-group NAME`).
-- `iterations.group_name` names the sweep several processes join; `work_queue` holds its planned files, each claimed
-- by one worker at a time (`worker`, `claimed_at`, renewed while the worker lives; a claim not renewed within the
-- lease is taken over), `claims` counts how often, and `done_at` is set once the file's review is stored.
-- The queue is the iteration's work list, not history: its claims are updated. Columns are only added to iterations.
ALTER TABLE iterations ADD COLUMN group_name TEXT;
CREATE INDEX iterations_group ON iterations(group_name);
CREATE TABLE work_queue (
  iteration_id INTEGER NOT NULL REFERENCES iterations(id),
  seq          INTEGER NOT NULL,
  path         TEXT NOT NULL,
  worker       TEXT,
  claimed_at   TEXT,
  claims       INTEGER NOT NULL DEFAULT 0,
  done_at      TEXT,
  PRIMARY KEY (iteration_id, path)
);
CREATE INDEX work_queue_open ON work_queue(iteration_id, done_at, seq);
CREATE TRIGGER work_queue_no_delete BEFORE DELETE ON work_queue
BEGIN
  SELECT RAISE(ABORT, 'work_queue rows are never deleted');
END;
