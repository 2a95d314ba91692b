/** `scrum report --format rdjsonl`: reviewdog's Diagnostic format, one JSON object a line, for `reviewdog -f=rdjsonl`. */
import { setAsideReason, type IterationReport } from "./iteration-report";
import { reportIssues, type IssueLevel, type ReportIssue } from "./issues";
import { reportRules } from "./rule-catalog";

export type RdSeverity = "ERROR" | "WARNING" | "INFO";

/** One line of the output: a reviewdog `Diagnostic` (proto/rdf/reviewdog.proto). */
export interface RdDiagnostic {
  message: string;
  location: { path: string; range: { start: { line: number }; end: { line: number } } };
  severity: RdSeverity;
  source: { name: "scrumloop" };
  code: { value: string };
  original_output?: string;
}

const RD_SEVERITY: Record<IssueLevel, RdSeverity> = { error: "ERROR", warning: "WARNING", note: "INFO" };

/** The report's issues as reviewdog diagnostics; dismissed and refuted findings are left out (a review comment cannot be suppressed). Pure. */
export function rdDiagnostics(report: IterationReport): RdDiagnostic[] {
  const fixes = new Map(reportRules(report.files.flatMap((f) => f.findings)).map((r) => [r.id, r.fix]));
  return reportIssues(report)
    .filter((issue) => !(issue.finding && setAsideReason(issue.finding) !== null))
    .map((issue) => diagnostic(issue, fixes.get(issue.ruleId)));
}

/** The diagnostics as JSON Lines: one object a line, a newline after each (empty text when there is nothing to say). */
export function renderRdjsonl(report: IterationReport): string {
  return rdDiagnostics(report)
    .map((d) => `${JSON.stringify(d)}\n`)
    .join("");
}

function diagnostic(issue: ReportIssue, fix: string | undefined): RdDiagnostic {
  // The comment a reviewer reads on the line: what was found, then what to do about it.
  const body = [issue.message, ...(issue.snippet !== null ? [`evidence: ${issue.snippet}`] : []), ...(fix ? [fix] : [])].join("\n\n");
  return {
    message: body,
    // No columns: reviewdog then treats the range as whole lines, end line included.
    location: { path: issue.path, range: { start: { line: issue.startLine }, end: { line: issue.endLine } } },
    severity: RD_SEVERITY[issue.level],
    source: { name: "scrumloop" },
    code: { value: issue.ruleId },
    original_output: `${issue.path}:${issue.startLine}: [${issue.ruleId}] ${issue.message} (fingerprint ${issue.fingerprint})`,
  };
}
