-- Partitions into one iteration (`scrum run --partition K/N --iteration-group NAME`): SQLite's 014_partition_queue.sql
-- in PostgreSQL's words. NULL share: a `--workers` queue.
ALTER TABLE work_queue ADD COLUMN share bigint;
CREATE INDEX work_queue_share ON work_queue(iteration_id, share, done_at, seq);
