/** `scrum report --format json`: the iteration report for scripts. The shape is documented in docs/REPORTS.md. */
import type { IterationReport } from "./iteration-report";

/** Bumped when a field is renamed or removed; adding a field does not bump it. */
export const JSON_REPORT_VERSION = 1;

/** Render the report as JSON (two-space indent). Pure. */
export function renderJson(report: IterationReport): string {
  const doc = {
    report_version: JSON_REPORT_VERSION,
    scope: report.scope,
    iteration: report.iteration,
    metrics_source: report.metrics_source,
    metrics: report.metrics,
    files: report.files.map((f) => ({
      path: f.path,
      verdict: f.verdict,
      gradient_tier: f.gradient_tier,
      alignment_score: f.alignment_score,
      shards: f.shards,
      shards_reviewed: f.shards_reviewed,
      coverage_complete: f.coverage_complete,
      reduced_by: f.reduced_by,
      accepted_model: f.accepted_model,
      skip_reason: f.skip_reason,
      error: f.error,
      reviewer: f.reviewer,
      degraded: f.degraded,
      findings: f.findings,
    })),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
