/**
 * What the knowledge base keeps, as every stage reads it: an iteration, a file review, a stored finding, an attempt,
 * a state entry, a dismissal, a note. One shape per concept. Flags are booleans and lists are lists here; the KB's
 * rows (0/1 columns, JSON text) stop in kb/, which converts both ways (kb/rows.ts). Field names are the DESIGN.md
 * column names, the names the JSON outputs use.
 */
import type { Attempt } from "./attempt";
import type { Tier } from "./counts";
import type { Reviewer } from "./outcome";
import type { FindingCategory, Severity } from "./verdict";

export type IterationStatus = "running" | "done" | "aborted";

/** One sweep of the loop: who runs it, what it swept, how it ended. */
export interface Iteration {
  id: number;
  label: string | null;
  status: IterationStatus;
  started_at: string;
  finished_at: string | null;
  /** The configuration the iteration ran with, as stored (pipeline/run/plan.ts reads it back). */
  config_json: string;
  git_commit: string | null;
  /** The paths the user asked to sweep. */
  targets: string[];
  error: string | null;
  /** Who runs (or ran) the iteration, and when it last said it was alive. */
  host: string | null;
  pid: number | null;
  heartbeat_at: string | null;
  /** `K/N` for an iteration that reviewed one share of its planned files (`scrum run --partition`); null otherwise. */
  partition: string | null;
  /** A share: the split it came from; a merged iteration: what `scrum kb merge` joined (pipeline/run/partition.ts). */
  partition_json: string | null;
  /** The group of workers sharing this iteration (`scrum run --workers --iteration-group NAME`); null otherwise. */
  group_name: string | null;
}

export type ReviewVerdict = "pass" | "fail" | "needs_patch" | "unreviewed" | "skipped";

/** One file's review in one iteration: its verdict, what it cost, and the stored verdict document. */
export interface FileReview {
  iteration_id: number;
  path: string;
  content_sha: string | null;
  verdict: ReviewVerdict;
  alignment_score: number | null;
  output_format: string | null;
  confidence_avg: number | null;
  confidence_min: number | null;
  gradient_tier: Tier | null;
  findings_count: number;
  critical_failures_count: number;
  missing_components_count: number;
  verified_components_count: number;
  shards: number;
  tree_split_fired: boolean;
  attempts_made: number;
  thin_rejections: number;
  escalations: number;
  accepted_model: string | null;
  tokens_in: number;
  tokens_out: number;
  cost_usd: number;
  latency_ms: number;
  /** The file verdict (domain/verdict.ts FileVerdict) as stored; null for a skipped file. */
  review_json: string | null;
  error: string | null;
  skip_reason: string | null;
  /** Whether every shard was reviewed; null when the file was not sharded (skipped, or rows of older versions). */
  coverage_complete: boolean | null;
  evidence_unverified: number;
  reduced_by: string | null;
  shard_strategy: string | null;
  /** The repository rules the review used: JSON array of {file, sha, paths}; null when none applied. */
  instructions: string | null;
  /** Which kind of reviewer produced the review; null when no rung reviewed it, or for older rows. */
  reviewer: Reviewer | null;
  /** For a `static_fallback` review: why the model rungs gave up on the shards the static rung answered. */
  degraded_reason: string | null;
}

export type Disposition = "confirmed" | "refuted" | "uncertain";

/** A finding as the KB keeps it: the file verdict's finding plus where it belongs. Reports, the dashboard and the CLI share it. */
export interface StoredFinding {
  path: string;
  category: FindingCategory;
  severity: Severity;
  confidence: number;
  title: string;
  evidence: string;
  line_start: number;
  line_end: number;
  fingerprint: string;
  evidence_verified: boolean;
  shard_index: number | null;
  /** The static rule id, or null for a model's finding. */
  rule: string | null;
  /** The enclosing symbol the shard plan names (part of the fingerprint). */
  symbol: string | null;
  /** How many consensus answers reported the finding; null without consensus. */
  agreement: number | null;
  /** The dismissal keeping the finding out of verdicts and metrics; null when it counts. */
  dismissal_id: number | null;
  /** [verify]: confirmed, refuted (kept, counts nowhere) or uncertain; null when not verified. */
  disposition: Disposition | null;
  /** [verify]: the model whose answer set the disposition. */
  verified_by: string | null;
  /** [verify]: the verifier's reason, or why the finding was not verified. */
  verify_reason: string | null;
  /** The rung whose answer produced the finding ("static" for a deterministic rule); null in rows older than [verify]. */
  rung: string | null;
}

/** One model call (or cache hit, or skip) on one shard of a file, as stored and as the event stream sends it. */
export interface AttemptRecord {
  path: string;
  shard_index: number;
  rung: string;
  model: string;
  outcome: Attempt["outcome"];
  reason: string | null;
  latency_ms: number;
  tokens_in: number;
  tokens_out: number;
  cost_usd: number;
  output_format: string | null;
  server: string | null;
  purpose: Attempt["purpose"];
  /** Secrets masked in what was sent (cloud rungs). */
  redactions: number;
  /** Hash of model, rendered prompt and schema: the shard cache key. */
  prompt_sha: string | null;
}

/** An attempt as read back: the record, with the KB's id, its iteration and when it was stored. */
export interface StoredAttempt extends AttemptRecord {
  id: number;
  iteration_id: number;
  created_at: string;
}

/** One file of the swept tree after an iteration, carrying its latest review. */
export interface StateEntry {
  iteration_id: number;
  path: string;
  /** The iteration whose review this entry carries (this one, or an earlier one for a file not reviewed now). */
  from_iteration_id: number;
  content_sha: string | null;
  /** The file's content changed since that review. */
  stale: boolean;
  verdict: ReviewVerdict;
  gradient_tier: Tier | null;
  findings_count: number;
  findings_high: number;
  findings_medium: number;
  findings_low: number;
  critical_failures_count: number;
  missing_components_count: number;
  /** The reviewer of the review this entry carries (null for rows of older scrum versions). */
  reviewer: Reviewer | null;
  /** The file's latest review was degraded (only the static rung answered after the model rungs failed). */
  degraded: boolean;
  /** Why the model rungs gave up in that degraded review. */
  degraded_reason: string | null;
}

/** A user's decision that a finding (by fingerprint) is not worth acting on; `undone_at` set when taken back. */
export interface Dismissal {
  id: number;
  fingerprint: string;
  path: string;
  reason: string;
  created_at: string;
  undone_at: string | null;
}

/** A note a user leaves on a file for the next iteration's review. */
export interface Note {
  id: number;
  path: string;
  text: string;
  status: "open" | "picked_up" | "resolved";
  created_in: number | null;
  picked_up_in: number | null;
  created_at: string;
}

/** What counts against one file of an iteration: its counting findings by severity, critical failures, missing components. */
export interface FindingTally {
  high: number;
  medium: number;
  low: number;
  critical: number;
  missing: number;
}

/** A counting finding that a dismissal made since covers: it is subtracted when the state is read. */
export interface DismissedNow {
  iteration_id: number;
  path: string;
  category: FindingCategory;
  severity: Severity;
  fingerprint: string;
}

/** Columns added after the first version: a writer may leave them out and gets their defaults (null, 0). */
type Later<T, K extends keyof T> = Omit<T, K> & Partial<Pick<T, K>>;
/** The columns of a review that say how it came out, without its document (kb.reviews.outcomes). */
export type ReviewOutcome = Pick<FileReview, "path" | "content_sha" | "verdict" | "gradient_tier" | "findings_count" | "reviewer" | "degraded_reason">;

export type ReviewInput = Later<Omit<FileReview, "iteration_id">, "instructions" | "reviewer" | "degraded_reason">;
export type FindingInput = Later<StoredFinding, "rule" | "symbol" | "agreement" | "dismissal_id" | "disposition" | "verified_by" | "verify_reason" | "rung">;
export type AttemptInput = Later<AttemptRecord, "redactions" | "prompt_sha">;

/** Everything stored for one finished file, written in one transaction; `scrum kb merge` copies files as these. */
export interface FileRecord {
  review: ReviewInput;
  findings: FindingInput[];
  attempts: AttemptInput[];
  /** Accepted model answers to keep for the shard cache. */
  cache?: CachedAnswerRecord[];
}

/** An accepted model answer kept for the shard cache, by the hash of what was asked. */
export interface CachedAnswerRecord {
  prompt_sha: string;
  rung: string;
  model: string;
  verdict_json: string;
  output_format: string | null;
}
