/** The dashboard's input: one plain object read from the KB in one place (gather.ts), turned into HTML by render.ts. */
import type { FileReview, IterationStatus, Note, StoredAttempt, StoredFinding } from "../../domain/records";
import type { FlaggedFile } from "../score/flagged";
import type { Metrics } from "../score/metrics";

export type AttemptOutcome = StoredAttempt["outcome"];
export const ATTEMPT_OUTCOMES: readonly AttemptOutcome[] = ["accepted", "cached", "thin", "invalid", "error", "timeout", "skipped", "refused"];

/** One iteration on the trajectory. */
export interface IterationPoint {
  id: number;
  label: string | null;
  status: IterationStatus;
  startedAt: string;
  finishedAt: string | null;
  /**
   * `stored`: the iteration's rows in the metrics table. `rows`: it has none (aborted or still running), so the
   * metrics were computed from the file_reviews, findings and attempts it did store: a partial picture.
   */
  source: "stored" | "rows";
  metrics: Metrics;
}

/** A flagged file of the latest iteration, with what a reader needs to pick the next fix. */
export interface DashboardFlaggedFile extends FlaggedFile {
  alignment_score: number | null;
}

/** A stored finding (domain/records.ts) as the flagged panel lists it. */
export type DashboardFinding = Pick<StoredFinding, "path" | "category" | "severity" | "confidence" | "title" | "evidence" | "line_start" | "line_end" | "evidence_verified">;

export interface FileWithReason {
  path: string;
  /** `error` of an unreviewed file, `skip_reason` of a skipped one; null when the row has none. */
  reason: string | null;
}

export interface LatestIteration {
  point: IterationPoint;
  flagged: DashboardFlaggedFile[];
  /** Problem findings (not verified_components) of the flagged files, in flagged order. */
  findings: DashboardFinding[];
  unreviewed: FileWithReason[];
  /** Files of the state whose latest review was degraded (only the static rung answered after the model rungs gave up). */
  degraded: FileWithReason[];
  skipped: FileWithReason[];
}

export type OutcomeCounts = Record<AttemptOutcome, number>;

export interface RungAttempts {
  rung: string;
  total: number;
  outcomes: OutcomeCounts;
}

/** Whether the KB is being read, not only written (seed 003: "write-only KB files nobody reads"). */
export interface KbHealth {
  schemaVersion: number;
  iterations: { total: number; done: number; aborted: number; running: number };
  rows: { iterations: number; file_reviews: number; findings: number; attempts: number; metrics: number; notes: number };
  notes: Record<Note["status"], number>;
  /** Over every findings row of every iteration. */
  /** Problem findings (not verified_components) whose evidence is not in the file, of all problem finding rows. */
  evidence: { unverified: number; findings: number };
  /** Reviewed files (pass / needs_patch / fail) with at least one unreviewed shard, over every iteration. */
  coverage: { partial: number; reviewed: number };
  attemptsByOutcome: OutcomeCounts;
  attemptsByRung: RungAttempts[];
  /** The latest iteration and how long ago it finished (or started, if it never finished). */
  lastIteration: { id: number; at: string; ageMs: number } | null;
}

export interface DashboardData {
  /** ISO timestamp of when the data was read. */
  generatedAt: string;
  kbFile: string;
  iterations: IterationPoint[];
  /** Names of the `[[probe]]` metrics found in the metrics table, sorted. */
  probeNames: string[];
  latest: LatestIteration | null;
  health: KbHealth;
}

/** The rows gather.ts reads per iteration: what the trajectory and the health panel are computed from. */
export interface IterationRows {
  reviews: FileReview[];
  findings: StoredFinding[];
  attempts: StoredAttempt[];
  metrics: Metrics;
  /** The stored metrics, or for an unfinished iteration the ones computed from its rows. */
  computed: Metrics;
}
