-- The append-only guarantee on PostgreSQL, as SQLite's triggers give it (migrations 001, 002, 006, 008, 013): history
-- is never updated, deleted or truncated; a finished iteration takes no new rows; an iteration starts running. Every
-- statement here replaces what it names, so the file runs after every migration (it names tables of all of them) and
-- again whenever a trigger is found missing or disabled.
CREATE OR REPLACE FUNCTION scrum_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'restrict_violation';
END $$;

CREATE OR REPLACE FUNCTION scrum_iteration_open() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM iterations WHERE id = NEW.iteration_id AND status <> 'done') THEN
    RAISE EXCEPTION '%: the iteration is finished (or does not exist); a finished iteration takes no new rows', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
  END IF;
  RETURN NEW;
END $$;

-- Observers report deliveries after an iteration finished: those two metrics are let in.
CREATE OR REPLACE FUNCTION scrum_metrics_open() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM iterations WHERE id = NEW.iteration_id AND (status <> 'done' OR NEW.name IN ('observer_delivered', 'observer_dropped'))) THEN
    RAISE EXCEPTION 'metrics: the iteration is finished (or does not exist); a finished iteration takes no new rows' USING ERRCODE = 'restrict_violation';
  END IF;
  RETURN NEW;
END $$;

CREATE OR REPLACE TRIGGER iterations_frozen BEFORE UPDATE ON iterations FOR EACH ROW WHEN (OLD.status = 'done')
  EXECUTE FUNCTION scrum_refuse('iteration is finished; the knowledge base is append-only');
CREATE OR REPLACE TRIGGER iterations_start_running BEFORE INSERT ON iterations FOR EACH ROW WHEN (NEW.status IS DISTINCT FROM 'running')
  EXECUTE FUNCTION scrum_refuse('an iteration starts running; only scrum finishes it');
CREATE OR REPLACE TRIGGER history_no_delete_iterations BEFORE DELETE ON iterations FOR EACH ROW
  EXECUTE FUNCTION scrum_refuse('iterations are never deleted');

CREATE OR REPLACE TRIGGER file_reviews_no_update BEFORE UPDATE ON file_reviews FOR EACH ROW EXECUTE FUNCTION scrum_refuse('file_reviews rows are append-only');
CREATE OR REPLACE TRIGGER history_no_delete_reviews BEFORE DELETE ON file_reviews FOR EACH ROW EXECUTE FUNCTION scrum_refuse('file_reviews are never deleted');
CREATE OR REPLACE TRIGGER file_reviews_iteration_open BEFORE INSERT ON file_reviews FOR EACH ROW EXECUTE FUNCTION scrum_iteration_open();

CREATE OR REPLACE TRIGGER findings_no_update BEFORE UPDATE ON findings FOR EACH ROW EXECUTE FUNCTION scrum_refuse('findings rows are append-only');
CREATE OR REPLACE TRIGGER findings_no_delete BEFORE DELETE ON findings FOR EACH ROW EXECUTE FUNCTION scrum_refuse('findings are never deleted');
CREATE OR REPLACE TRIGGER findings_iteration_open BEFORE INSERT ON findings FOR EACH ROW EXECUTE FUNCTION scrum_iteration_open();

CREATE OR REPLACE TRIGGER attempts_no_update BEFORE UPDATE ON attempts FOR EACH ROW EXECUTE FUNCTION scrum_refuse('attempts rows are append-only');
CREATE OR REPLACE TRIGGER attempts_no_delete BEFORE DELETE ON attempts FOR EACH ROW EXECUTE FUNCTION scrum_refuse('attempts are never deleted');
CREATE OR REPLACE TRIGGER attempts_iteration_open BEFORE INSERT ON attempts FOR EACH ROW EXECUTE FUNCTION scrum_iteration_open();

CREATE OR REPLACE TRIGGER metrics_no_update BEFORE UPDATE ON metrics FOR EACH ROW EXECUTE FUNCTION scrum_refuse('metrics rows are append-only');
CREATE OR REPLACE TRIGGER metrics_no_delete BEFORE DELETE ON metrics FOR EACH ROW EXECUTE FUNCTION scrum_refuse('metrics are never deleted');
CREATE OR REPLACE TRIGGER metrics_iteration_open BEFORE INSERT ON metrics FOR EACH ROW EXECUTE FUNCTION scrum_metrics_open();

CREATE OR REPLACE TRIGGER state_no_update BEFORE UPDATE ON state FOR EACH ROW EXECUTE FUNCTION scrum_refuse('state rows are append-only');
CREATE OR REPLACE TRIGGER state_no_delete BEFORE DELETE ON state FOR EACH ROW EXECUTE FUNCTION scrum_refuse('state rows are never deleted');
CREATE OR REPLACE TRIGGER state_iteration_open BEFORE INSERT ON state FOR EACH ROW EXECUTE FUNCTION scrum_iteration_open();

CREATE OR REPLACE TRIGGER shard_cache_no_update BEFORE UPDATE ON shard_cache FOR EACH ROW EXECUTE FUNCTION scrum_refuse('shard_cache rows are append-only');
CREATE OR REPLACE TRIGGER shard_cache_no_delete BEFORE DELETE ON shard_cache FOR EACH ROW
  EXECUTE FUNCTION scrum_refuse('shard_cache rows are never deleted: the cache is never evicted (--no-cache skips it)');
CREATE OR REPLACE TRIGGER shard_cache_iteration_open BEFORE INSERT ON shard_cache FOR EACH ROW EXECUTE FUNCTION scrum_iteration_open();

CREATE OR REPLACE TRIGGER dismissals_no_delete BEFORE DELETE ON dismissals FOR EACH ROW EXECUTE FUNCTION scrum_refuse('dismissals are never deleted; undo one instead');

CREATE OR REPLACE TRIGGER bench_runs_no_update BEFORE UPDATE ON bench_runs FOR EACH ROW EXECUTE FUNCTION scrum_refuse('bench_runs rows are append-only');
CREATE OR REPLACE TRIGGER bench_runs_no_delete BEFORE DELETE ON bench_runs FOR EACH ROW EXECUTE FUNCTION scrum_refuse('bench_runs are never deleted');

CREATE OR REPLACE TRIGGER server_traits_no_update BEFORE UPDATE ON server_traits FOR EACH ROW EXECUTE FUNCTION scrum_refuse('server_traits rows are append-only');
CREATE OR REPLACE TRIGGER server_traits_no_delete BEFORE DELETE ON server_traits FOR EACH ROW EXECUTE FUNCTION scrum_refuse('server_traits are never deleted');

-- TRUNCATE fires no row trigger: refuse it on every history table.
CREATE OR REPLACE TRIGGER iterations_no_truncate BEFORE TRUNCATE ON iterations EXECUTE FUNCTION scrum_refuse('iterations are never deleted');
CREATE OR REPLACE TRIGGER file_reviews_no_truncate BEFORE TRUNCATE ON file_reviews EXECUTE FUNCTION scrum_refuse('file_reviews are never deleted');
CREATE OR REPLACE TRIGGER findings_no_truncate BEFORE TRUNCATE ON findings EXECUTE FUNCTION scrum_refuse('findings are never deleted');
CREATE OR REPLACE TRIGGER attempts_no_truncate BEFORE TRUNCATE ON attempts EXECUTE FUNCTION scrum_refuse('attempts are never deleted');
CREATE OR REPLACE TRIGGER metrics_no_truncate BEFORE TRUNCATE ON metrics EXECUTE FUNCTION scrum_refuse('metrics are never deleted');
CREATE OR REPLACE TRIGGER state_no_truncate BEFORE TRUNCATE ON state EXECUTE FUNCTION scrum_refuse('state rows are never deleted');
CREATE OR REPLACE TRIGGER shard_cache_no_truncate BEFORE TRUNCATE ON shard_cache EXECUTE FUNCTION scrum_refuse('shard_cache rows are never deleted');
CREATE OR REPLACE TRIGGER dismissals_no_truncate BEFORE TRUNCATE ON dismissals EXECUTE FUNCTION scrum_refuse('dismissals are never deleted; undo one instead');
CREATE OR REPLACE TRIGGER bench_runs_no_truncate BEFORE TRUNCATE ON bench_runs EXECUTE FUNCTION scrum_refuse('bench_runs are never deleted');
CREATE OR REPLACE TRIGGER server_traits_no_truncate BEFORE TRUNCATE ON server_traits EXECUTE FUNCTION scrum_refuse('server_traits are never deleted');

CREATE OR REPLACE TRIGGER work_queue_no_delete BEFORE DELETE ON work_queue FOR EACH ROW EXECUTE FUNCTION scrum_refuse('work_queue rows are never deleted');
CREATE OR REPLACE TRIGGER work_queue_no_truncate BEFORE TRUNCATE ON work_queue EXECUTE FUNCTION scrum_refuse('work_queue rows are never deleted');
