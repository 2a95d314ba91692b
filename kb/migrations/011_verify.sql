-- scrumloop knowledge base: verification ([verify]). A finding carries what the verifier made of it
-- (disposition confirmed/refuted/uncertain, NULL when not verified), the model that said so and why, and
-- which rung produced it (for the overturn rates of `scrum rungs`). The attempts purpose `verify` and
-- outcome `refused` came with 006; the table is not rebuilt here, so 008's append-only triggers stand.
ALTER TABLE findings ADD COLUMN disposition TEXT CHECK (disposition IN ('confirmed', 'refuted', 'uncertain'));
ALTER TABLE findings ADD COLUMN verified_by TEXT;
ALTER TABLE findings ADD COLUMN verify_reason TEXT;
ALTER TABLE findings ADD COLUMN rung TEXT;
