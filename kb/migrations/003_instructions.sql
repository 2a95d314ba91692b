-- scrumloop knowledge base, version 3: which repository rules ([[instructions]] of routing.toml) a review used.
-- JSON array of {file, sha, paths}, one per instructions file whose globs matched the file; NULL when none did.
ALTER TABLE file_reviews ADD COLUMN instructions TEXT;
