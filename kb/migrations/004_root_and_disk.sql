-- scrumloop knowledge base, version 4: the KB knows the repository root its paths are relative to
-- (so a path typed anywhere, or a --resume from another directory, resolves against it), and what
-- a file looked like on disk when it was last hashed (size and mtime), so readers can tell a file
-- changed since its review without hashing every unchanged file.

-- Facts about the KB itself, one value per key ('root': the absolute repository root).
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- A cache, not history: the content hash of a file as it was at (size, mtime_ms). Replaced as files change.
CREATE TABLE disk_stats (
  path        TEXT PRIMARY KEY,
  size        INTEGER NOT NULL,
  mtime_ms    REAL NOT NULL,
  content_sha TEXT NOT NULL
);
