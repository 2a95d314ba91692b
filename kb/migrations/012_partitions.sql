-- scrumloop knowledge base: sweeps split across CI runners (`scrum run --partition K/N`, `scrum kb merge`).
-- `partition` is "K/N" for an iteration that reviewed one share of its planned files, NULL otherwise.
-- `partition_json` says what the split came from (a share: N, the basis, every planned file with its weight) or what
-- was joined (a merged iteration: the shares, the partitions missing and the files no partition reviewed), so
-- `scrum kb merge` can check shares against each other and `--resume` finishes a share with its own files.
-- Columns are only added: 008's append-only triggers stand.
ALTER TABLE iterations ADD COLUMN partition TEXT;
ALTER TABLE iterations ADD COLUMN partition_json TEXT;
