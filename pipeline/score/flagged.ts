/** Flagged files: what needs work, most urgent first. Pure over state rows (or one iteration's file rows). */
import type { FileReview } from "../../domain/records";
import { UsageError } from "../../domain/errors";

/** The row shape `scrum flagged --json` prints (DESIGN.md). */
export interface FlaggedFile {
  path: string;
  verdict: FileReview["verdict"];
  gradient_tier: FileReview["gradient_tier"];
  critical_failures_count: number;
  missing_components_count: number;
  findings_count: number;
  /** The iteration the review comes from. */
  iteration_id: number;
  /** The file changed since that review. */
  stale: boolean;
}

/** What a flag decision reads: a state row, or an iteration's file row (never stale, from its own iteration). */
export interface FlagInput extends Omit<FlaggedFile, "stale"> {
  from_iteration_id?: number;
  stale?: boolean;
}

/** `--include`: widen the list to passes at tier review, and to files changed since their review. */
export interface FlagOptions {
  review?: boolean;
  stale?: boolean;
}

export const INCLUDE_CHOICES = ["review", "stale"] as const;

const VERDICT_URGENCY: Record<FileReview["verdict"], number> = { fail: 0, unreviewed: 1, needs_patch: 2, pass: 3, skipped: 4 };
const TIER_URGENCY = { block: 0, review: 1, auto: 2 } as const;

/** Whether a file needs work: fail, needs_patch or unreviewed, or tier block; with options, review passes and stale files. */
export function isFlagged(r: FlagInput, options: FlagOptions = {}): boolean {
  if (r.verdict === "skipped") return options.stale === true && r.stale === true;
  if (r.verdict !== "pass" || r.gradient_tier === "block") return true;
  if (options.review && r.gradient_tier === "review") return true;
  return options.stale === true && r.stale === true;
}

/** The flagged files, most urgent first: verdict, tier, critical failures, missing components, findings, path. */
export function flaggedFiles(rows: FlagInput[], options: FlagOptions = {}): FlaggedFile[] {
  return rows
    .filter((r) => isFlagged(r, options))
    .sort(
      (a, b) =>
        VERDICT_URGENCY[a.verdict] - VERDICT_URGENCY[b.verdict] ||
        (a.gradient_tier ? TIER_URGENCY[a.gradient_tier] : 0) - (b.gradient_tier ? TIER_URGENCY[b.gradient_tier] : 0) ||
        b.critical_failures_count - a.critical_failures_count ||
        b.missing_components_count - a.missing_components_count ||
        b.findings_count - a.findings_count ||
        a.path.localeCompare(b.path),
    )
    .map((r) => ({
      path: r.path,
      verdict: r.verdict,
      gradient_tier: r.gradient_tier,
      critical_failures_count: r.critical_failures_count,
      missing_components_count: r.missing_components_count,
      findings_count: r.findings_count,
      iteration_id: r.from_iteration_id ?? r.iteration_id,
      stale: r.stale === true,
    }));
}

/** Parse `--include review,stale`. */
export function parseInclude(value: string | undefined): FlagOptions {
  if (value === undefined) return {};
  const parts = value.split(",").map((p) => p.trim()).filter(Boolean);
  const bad = parts.filter((p) => !(INCLUDE_CHOICES as readonly string[]).includes(p));
  if (bad.length > 0) throw new UsageError(`--include takes ${INCLUDE_CHOICES.join(", ")} (comma-separated); got "${bad.join(", ")}"`);
  return { review: parts.includes("review"), stale: parts.includes("stale") };
}
