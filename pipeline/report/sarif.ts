/** `scrum report --format sarif`: SARIF 2.1.0 for GitHub code scanning. One run; one result per problem finding and per unreviewed file. */
import type { IterationReport, ReportFile } from "./iteration-report";
import { coverageIncomplete, isDismissed, setAsideReason } from "./iteration-report";
import { reportIssues, type IssueLevel, type ReportIssue } from "./issues";
import { reportRules, type ReportRule } from "./rule-catalog";
import { sweepScope } from "./scope";

export const SARIF_SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
/** The key of our fingerprint in `partialFingerprints`; bump the version if the fingerprint recipe changes. */
export const FINGERPRINT_KEY = "scrumloop/v1";

export type SarifLevel = IssueLevel;

export interface SarifArtifactLocation {
  uri: string;
  uriBaseId?: string;
}

export interface SarifSuppression {
  kind: "external";
  status: "accepted";
  justification: string;
}

export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: { text: string };
  locations: {
    physicalLocation: {
      artifactLocation: SarifArtifactLocation;
      region: { startLine: number; endLine: number; snippet?: { text: string } };
    };
  }[];
  partialFingerprints: Record<string, string>;
  suppressions?: SarifSuppression[];
  properties: Record<string, unknown>;
}

export interface SarifReportingDescriptor {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string; markdown: string };
  defaultConfiguration?: { level: SarifLevel };
  properties: { tags: string[]; precision?: string };
}

export interface SarifLog {
  $schema: string;
  version: "2.1.0";
  runs: [
    {
      tool: { driver: { name: "scrumloop"; version?: string; informationUri?: string; rules: SarifReportingDescriptor[] } };
      automationDetails: { id: string; description: { text: string } };
      invocations: {
        executionSuccessful: boolean;
        startTimeUtc: string;
        endTimeUtc?: string;
        toolExecutionNotifications: unknown[];
      }[];
      results: SarifResult[];
      properties: Record<string, unknown>;
    },
  ];
}

export interface SarifOptions {
  /** `tool.driver.version`; the command passes the package version. */
  toolVersion?: string;
  informationUri?: string;
}

const SEVERITY_LEVEL = { high: "error", medium: "warning", low: "note" } as const;

/**
 * The run's `automationDetails.id`: `scrumloop/<scope>/iter-<id>`. GitHub takes what precedes the last "/" as the
 * analysis category, so iterations over the same targets replace each other's alerts, and a sweep over other
 * targets (a partial one) is an analysis of its own that leaves the alerts of files it did not look at open.
 */
export function sarifAutomationId(report: IterationReport): string {
  return `scrumloop/${sweepScope(report.iteration.targets)}/iter-${report.iteration.id}`;
}

/** Build the SARIF log of one iteration. Pure. */
export function sarifLog(report: IterationReport, options: SarifOptions = {}): SarifLog {
  const it = report.iteration;
  const issues = reportIssues(report);
  const rules = reportRules(report.files.flatMap((f) => f.findings));
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const scope = sweepScope(it.targets);
  return {
    $schema: SARIF_SCHEMA_URI,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "scrumloop",
            ...(options.toolVersion ? { version: options.toolVersion } : {}),
            ...(options.informationUri ? { informationUri: options.informationUri } : {}),
            rules: rules.map(descriptor),
          },
        },
        automationDetails: {
          id: sarifAutomationId(report),
          description: { text: `scrum iteration ${it.id}${it.label ? ` (${it.label})` : ""} over ${it.targets.length > 0 ? it.targets.join(", ") : "no recorded targets"}; scope ${scope}` },
        },
        invocations: [
          {
            // Incomplete coverage (unreviewed, partly reviewed or degraded files) is not a successful execution.
            executionSuccessful: it.status === "done" && !coverageIncomplete(report),
            startTimeUtc: it.started_at,
            ...(it.finished_at ? { endTimeUtc: it.finished_at } : {}),
            toolExecutionNotifications: [...report.files.filter((f) => f.verdict === "skipped").map(skippedNotification), ...report.files.filter((f) => f.degraded !== null).map(degradedNotification)],
          },
        ],
        results: issues.map((issue) => result(issue, ruleIndex)),
        properties: {
          iteration_id: it.id,
          label: it.label,
          status: it.status,
          git_commit: it.git_commit,
          targets: it.targets,
          scope,
          metrics_source: report.metrics_source,
          metrics: report.metrics,
        },
      },
    ],
  };
}

/** The SARIF log as JSON text. */
export function renderSarif(report: IterationReport, options: SarifOptions = {}): string {
  return `${JSON.stringify(sarifLog(report, options), null, 2)}\n`;
}

/** A SARIF `artifactLocation` for a KB path: relative paths against %SRCROOT%, absolute ones (outside the run's cwd) as file URIs. */
export function artifactLocation(path: string): SarifArtifactLocation {
  const encode = (p: string) => p.split("/").map(encodeURIComponent).join("/");
  if (path.startsWith("/")) return { uri: `file://${encode(path)}` };
  const drive = /^([A-Za-z]:)\/(.*)$/.exec(path);
  if (drive) return { uri: `file:///${drive[1]}/${encode(drive[2]!)}` };
  return { uri: encode(path), uriBaseId: "%SRCROOT%" };
}

function descriptor(rule: ReportRule): SarifReportingDescriptor {
  const tags = ["scrumloop", rule.kind === "coverage" ? "coverage" : rule.kind === "static" ? "static-rule" : "forensic-review"];
  if (rule.category) tags.push(rule.category);
  return {
    id: rule.id,
    name: rule.name,
    shortDescription: { text: rule.short },
    fullDescription: { text: rule.full },
    help: { text: `${rule.full} ${rule.fix}`, markdown: rule.helpMarkdown },
    ...(rule.severity ? { defaultConfiguration: { level: SEVERITY_LEVEL[rule.severity] } } : {}),
    properties: { tags, ...(rule.confidence !== null ? { precision: precisionOf(rule.confidence) } : {}) },
  };
}

/** GitHub's `precision` scale, from the rule's confidence. */
function precisionOf(confidence: number): string {
  if (confidence >= 90) return "very-high";
  if (confidence >= 75) return "high";
  if (confidence >= 60) return "medium";
  return "low";
}

function result(issue: ReportIssue, ruleIndex: Map<string, number>): SarifResult {
  const index = ruleIndex.get(issue.ruleId);
  if (index === undefined) throw new Error(`bug: ${issue.path}: rule ${issue.ruleId} has no reportingDescriptor`);
  const f = issue.finding;
  return {
    ruleId: issue.ruleId,
    ruleIndex: index,
    level: issue.level,
    message: { text: issue.message },
    locations: [
      {
        physicalLocation: {
          artifactLocation: artifactLocation(issue.path),
          region: { startLine: issue.startLine, endLine: issue.endLine, ...(issue.snippet !== null ? { snippet: { text: issue.snippet } } : {}) },
        },
      },
    ],
    partialFingerprints: { [FINGERPRINT_KEY]: issue.fingerprint },
    // A dismissed or refuted finding stays in the log, suppressed with why, so code scanning closes its alert.
    ...(f && setAsideReason(f) !== null ? { suppressions: [{ kind: "external" as const, status: "accepted" as const, justification: setAsideReason(f)! }] } : {}),
    properties: f
      ? {
          category: f.category,
          severity: f.severity,
          confidence: f.confidence,
          evidence_verified: f.evidence_verified,
          shard_index: f.shard_index,
          ...(f.dismissal ? { dismissal_id: f.dismissal.id, dismissal_undone_at: f.dismissal.undone_at } : {}),
          ...(f.disposition ? { disposition: f.disposition, verified_by: f.verified_by, verify_reason: f.verify_reason } : {}),
        }
      : { verdict: issue.file.verdict, shards: issue.file.shards, shards_reviewed: issue.file.shards_reviewed },
  };
}

function degradedNotification(f: ReportFile) {
  return {
    level: "warning",
    message: { text: `degraded review of ${f.path}: the model rungs gave up and only the static rung answered (${f.degraded!.split("\n").join("; ")})` },
    locations: [{ physicalLocation: { artifactLocation: artifactLocation(f.path) } }],
  };
}

function skippedNotification(f: ReportFile) {
  return {
    level: "note",
    message: { text: `skipped ${f.path}: ${f.skip_reason ?? "no reason recorded"}` },
    locations: [{ physicalLocation: { artifactLocation: artifactLocation(f.path) } }],
  };
}
