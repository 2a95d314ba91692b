/** Flagged files: not `pass`, or not tier `auto`, ranked most urgent first. Pure over file rows. */
import type { FileReviewRow } from "../../kb/kb";

export interface FlaggedFile {
  path: string;
  verdict: FileReviewRow["verdict"];
  gradient_tier: FileReviewRow["gradient_tier"];
  critical_failures_count: number;
  missing_components_count: number;
  findings_count: number;
}

const VERDICT_URGENCY: Record<FileReviewRow["verdict"], number> = { fail: 0, unreviewed: 1, needs_patch: 2, pass: 3, skipped: 4 };
const TIER_URGENCY = { block: 0, review: 1, auto: 2 } as const;

/** Files that need work. Skipped files are not flagged (nothing to fix in review terms; `scrum show` keeps their reason). */
export function flaggedFiles(rows: FileReviewRow[]): FlaggedFile[] {
  return rows
    .filter((r) => r.verdict !== "skipped" && (r.verdict !== "pass" || r.gradient_tier !== "auto"))
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
    }));
}
