-- scrumloop knowledge base: which kind of reviewer produced each file review, and degraded reviews.
-- file_reviews.reviewer: 'model' (every reviewed shard accepted from a model rung, the cache included),
-- 'static_fallback' (the static rung answered a shard after the model rungs failed or answered thin: the review is
-- degraded, degraded_reason says why), 'static' (a ladder of the static rung only: --offline or by configuration);
-- NULL for a file no rung reviewed, and for rows written before this version.
ALTER TABLE file_reviews ADD COLUMN reviewer TEXT CHECK (reviewer IN ('model', 'static_fallback', 'static'));
ALTER TABLE file_reviews ADD COLUMN degraded_reason TEXT;
-- state: the reviewer of the review a row carries, and whether the file's latest review was degraded. A degraded
-- review never replaces a model review: the row keeps the model review and says degraded = 1 with the reason.
ALTER TABLE state ADD COLUMN reviewer TEXT CHECK (reviewer IN ('model', 'static_fallback', 'static'));
ALTER TABLE state ADD COLUMN degraded INTEGER NOT NULL DEFAULT 0 CHECK (degraded IN (0, 1));
ALTER TABLE state ADD COLUMN degraded_reason TEXT;
