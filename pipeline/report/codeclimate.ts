/** `scrum report --format codeclimate`: GitLab's Code Quality report (a Code Climate issue array) for merge request widgets. */
import type { Severity } from "../../domain/verdict";
import { setAsideReason, type IterationReport } from "./iteration-report";
import { reportIssues, type ReportIssue } from "./issues";
import { code } from "./markdown-text";
import { reportRules } from "./rule-catalog";

export type CodeQualitySeverity = "info" | "minor" | "major" | "critical" | "blocker";

/** One issue of the report: GitLab's required fields plus the Code Climate spec's `type`, `categories` and `content`. */
export interface CodeQualityIssue {
  type: "issue";
  check_name: string;
  description: string;
  content: { body: string };
  categories: string[];
  severity: CodeQualitySeverity;
  fingerprint: string;
  location: { path: string; lines: { begin: number; end: number } };
  engine_name: "scrumloop";
}

const SEVERITY: Record<Severity, CodeQualitySeverity> = { high: "critical", medium: "major", low: "minor" };
const ONE_STEP_LOWER: Record<CodeQualitySeverity, CodeQualitySeverity> = { blocker: "critical", critical: "major", major: "minor", minor: "info", info: "info" };
/** Code Climate's category names: each finding category maps to the closest one. */
const CATEGORIES: Record<string, string> = {
  critical_failures: "Bug Risk",
  pseudocode_flags: "Clarity",
  prd_mismatches: "Compatibility",
  broken_pipelines: "Bug Risk",
  missing_components: "Bug Risk",
  risk_points: "Bug Risk",
};

/** The report's issues as Code Quality issues; dismissed and refuted findings are left out (Code Quality has no suppression). Pure. */
export function codeQualityIssues(report: IterationReport): CodeQualityIssue[] {
  const help = new Map(reportRules(report.files.flatMap((f) => f.findings)).map((r) => [r.id, r.helpMarkdown]));
  return reportIssues(report)
    .filter((issue) => !(issue.finding && setAsideReason(issue.finding) !== null))
    .map((issue) => codeQualityIssue(issue, help.get(issue.ruleId) ?? ""));
}

/** The Code Quality report as JSON text (a single array). */
export function renderCodeClimate(report: IterationReport): string {
  return `${JSON.stringify(codeQualityIssues(report), null, 2)}\n`;
}

function codeQualityIssue(issue: ReportIssue, help: string): CodeQualityIssue {
  const severity = SEVERITY[issue.severity];
  const evidence = issue.snippet !== null ? `Evidence: ${code(issue.snippet)}\n\n` : "";
  return {
    type: "issue",
    check_name: issue.ruleId,
    description: issue.message,
    content: { body: `${evidence}${help}` },
    categories: [issue.finding ? CATEGORIES[issue.finding.category] ?? "Bug Risk" : "Bug Risk"],
    // Unverified evidence is a weaker claim, one step lower as in the other formats.
    severity: issue.evidenceVerified ? severity : ONE_STEP_LOWER[severity],
    fingerprint: issue.fingerprint,
    location: { path: issue.path, lines: { begin: issue.startLine, end: issue.endLine } },
    engine_name: "scrumloop",
  };
}
