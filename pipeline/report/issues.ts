/** The problems of an iteration as CI tools see them: one issue per problem finding and per file not fully reviewed. SARIF, rdjsonl and Code Quality render these. */
import type { Severity } from "../../domain/verdict";
import { coverageCount, type IterationReport, type ReportDismissal, type ReportFile, type ReportFinding } from "./iteration-report";
import { ruleIdOf, UNREVIEWED_RULE } from "./rule-catalog";

export type IssueLevel = "error" | "warning" | "note";

export interface ReportIssue {
  kind: "finding" | "unreviewed";
  /** The static rule id, the category of a model's finding, or `unreviewed`. */
  ruleId: string;
  path: string;
  severity: Severity;
  /** False when the quoted evidence is not in the file: a weaker claim, reported one level lower. */
  evidenceVerified: boolean;
  /** From severity (`high` error, `medium` warning, `low` note), one step lower when the evidence is unverified. */
  level: IssueLevel;
  message: string;
  /** 1-based, inclusive; a reviewer's line 0 ("the whole file") becomes line 1. */
  startLine: number;
  endLine: number;
  /** The quoted evidence, or null when there is none. */
  snippet: string | null;
  fingerprint: string;
  dismissal: ReportDismissal | null;
  /** The finding behind the issue; null for an unreviewed file. */
  finding: ReportFinding | null;
  file: ReportFile;
}

const SEVERITY_LEVEL: Record<Severity, IssueLevel> = { high: "error", medium: "warning", low: "note" };
const ONE_STEP_LOWER: Record<IssueLevel, IssueLevel> = { error: "warning", warning: "note", note: "note" };
export const UNVERIFIED_NOTE = " (evidence not found in the file)";

/** Every issue of the report: problem findings file by file, then the files that were not (fully) reviewed. Pure. */
export function reportIssues(report: IterationReport): ReportIssue[] {
  return [
    ...report.files.flatMap((file) => file.findings.filter((f) => f.category !== "verified_components").map((f) => findingIssue(file, f))),
    ...report.files.filter(isNotFullyReviewed).map(unreviewedIssue),
  ];
}

function findingIssue(file: ReportFile, f: ReportFinding): ReportIssue {
  const level = SEVERITY_LEVEL[f.severity];
  const startLine = Math.max(1, f.line_start);
  return {
    kind: "finding",
    ruleId: ruleIdOf(f),
    path: file.path,
    severity: f.severity,
    evidenceVerified: f.evidence_verified,
    level: f.evidence_verified ? level : ONE_STEP_LOWER[level],
    message: f.evidence_verified ? f.title : `${f.title}${UNVERIFIED_NOTE}`,
    startLine,
    endLine: Math.max(startLine, f.line_end),
    snippet: f.evidence === "" ? null : f.evidence,
    fingerprint: f.fingerprint,
    dismissal: f.dismissal,
    finding: f,
    file,
  };
}

/** A file nobody could review (wholly or in part) is an issue of its own: it must show in CI, never be silent. */
function unreviewedIssue(file: ReportFile): ReportIssue {
  const counted = ` (${coverageCount(file)})`;
  const lead = file.verdict === "unreviewed" ? `Not reviewed${counted}: no rung of the ladder produced an acceptable review.` : `Only partly reviewed${counted}: the unreviewed part is unknown, not passed.`;
  const reasons = file.error ? file.error.split("\n").filter((l) => l.trim() !== "").join("; ") : "no reason was recorded";
  return {
    kind: "unreviewed",
    ruleId: UNREVIEWED_RULE,
    path: file.path,
    severity: "medium",
    evidenceVerified: true,
    level: "warning",
    message: `${lead} Reasons: ${reasons}`,
    startLine: 1,
    endLine: 1,
    snippet: null,
    // Closes when a later iteration reviews the file.
    fingerprint: `unreviewed:${file.path}`,
    dismissal: null,
    finding: null,
    file,
  };
}

function isNotFullyReviewed(f: ReportFile): boolean {
  return f.verdict === "unreviewed" || (f.coverage_complete === false && f.verdict !== "skipped");
}
