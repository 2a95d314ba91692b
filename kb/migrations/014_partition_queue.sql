-- scrumloop knowledge base: partitions into one iteration (`scrum run --partition K/N --iteration-group NAME`).
-- `work_queue.share` is the share (1..N) a planned file was assigned to when the group's first job opened the
-- iteration and fixed the split; a share-K job claims only files of share K. NULL for a `--workers` queue (any worker
-- claims any file). Columns are only added.
ALTER TABLE work_queue ADD COLUMN share INTEGER;
CREATE INDEX work_queue_share ON work_queue(iteration_id, share, done_at, seq);
