-- Workers on one iteration (`scrum run --workers --iteration-group NAME`): SQLite's 013_work_queue.sql in
-- PostgreSQL's words. The queue is the iteration's work list, not history: its claims are updated, never deleted.
ALTER TABLE iterations ADD COLUMN group_name text COLLATE "C";
CREATE INDEX iterations_group ON iterations(group_name);
CREATE TABLE work_queue (
  iteration_id bigint NOT NULL REFERENCES iterations(id),
  seq          bigint NOT NULL,
  path         text COLLATE "C" NOT NULL,
  worker       text,
  claimed_at   text,
  claims       bigint NOT NULL DEFAULT 0,
  done_at      text,
  PRIMARY KEY (iteration_id, path)
);
CREATE INDEX work_queue_open ON work_queue(iteration_id, done_at, seq);
-- Its triggers are in append-only.sql, which runs after every migration.
