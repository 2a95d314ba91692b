/** `scrum report --format sarif`: SARIF 2.1.0 for GitHub code scanning. One run; one result per problem finding and per unreviewed file. */
import type { FindingCategory, Severity } from "../verdict/verdict";
import { coverageCount, type IterationReport, type ReportFile, type ReportFinding } from "./iteration-report";
import ruleTexts from "./sarif-rules.json";

export const SARIF_SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
/** The key of our fingerprint in `partialFingerprints`; bump the version if the fingerprint recipe changes. */
export const FINGERPRINT_KEY = "scrumloop/v1";

/** Every finding category except `verified_components`: proof of life is not a problem. */
export type ProblemCategory = Exclude<FindingCategory, "verified_components">;
export type SarifRuleId = ProblemCategory | "unreviewed";
export type SarifLevel = "error" | "warning" | "note";

interface RuleText {
  name: string;
  short: string;
  full: string;
  help: string;
}
// Typed against the rule ids, so a category without its text (or a stray one) fails the type-check.
const RULE_TEXTS: Record<SarifRuleId, RuleText> = ruleTexts;
const RULE_IDS: SarifRuleId[] = ["critical_failures", "pseudocode_flags", "prd_mismatches", "broken_pipelines", "missing_components", "risk_points", "unreviewed"];

const SEVERITY_LEVEL: Record<Severity, SarifLevel> = { high: "error", medium: "warning", low: "note" };
const ONE_STEP_LOWER: Record<SarifLevel, SarifLevel> = { error: "warning", warning: "note", note: "note" };

export interface SarifArtifactLocation {
  uri: string;
  uriBaseId?: string;
}

export interface SarifResult {
  ruleId: SarifRuleId;
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
  properties: Record<string, unknown>;
}

export interface SarifLog {
  $schema: string;
  version: "2.1.0";
  runs: [
    {
      tool: { driver: { name: "scrumloop"; version?: string; informationUri?: string; rules: unknown[] } };
      automationDetails: { id: string };
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

/** Build the SARIF log of one iteration. Pure. */
export function sarifLog(report: IterationReport, options: SarifOptions = {}): SarifLog {
  const it = report.iteration;
  const results = [
    ...report.files.flatMap((f) => f.findings.filter(isProblem).map((x) => findingResult(f, x))),
    ...report.files.filter(isUnreviewed).map(unreviewedResult),
  ];
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
            rules: RULE_IDS.map(rule),
          },
        },
        // GitHub takes what precedes the last "/" as the analysis category: "scrumloop/" stays the same across
        // iterations, so a later upload closes the alerts an earlier one opened.
        automationDetails: { id: `scrumloop/iter-${it.id}` },
        invocations: [
          {
            executionSuccessful: it.status === "done",
            startTimeUtc: it.started_at,
            ...(it.finished_at ? { endTimeUtc: it.finished_at } : {}),
            toolExecutionNotifications: report.files.filter((f) => f.verdict === "skipped").map(skippedNotification),
          },
        ],
        results,
        properties: {
          iteration_id: it.id,
          label: it.label,
          status: it.status,
          git_commit: it.git_commit,
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

function rule(id: SarifRuleId) {
  const t = RULE_TEXTS[id];
  return {
    id,
    name: t.name,
    shortDescription: { text: t.short },
    fullDescription: { text: t.full },
    help: { text: `${t.full} ${t.help}`, markdown: `${t.full}\n\n${t.help}` },
    properties: { tags: ["scrumloop", id === "unreviewed" ? "coverage" : "forensic-review"] },
  };
}

function findingResult(file: ReportFile, f: ReportFinding & { category: ProblemCategory }): SarifResult {
  const level = SEVERITY_LEVEL[f.severity];
  // Line 0 means "somewhere in the file" from a reviewer; SARIF lines start at 1.
  const startLine = Math.max(1, f.line_start);
  const endLine = Math.max(startLine, f.line_end);
  return {
    ruleId: f.category,
    ruleIndex: RULE_IDS.indexOf(f.category),
    // Evidence we could not find in the file is a weaker claim: one level lower.
    level: f.evidence_verified ? level : ONE_STEP_LOWER[level],
    message: { text: f.evidence_verified ? f.title : `${f.title} (evidence not found in the file)` },
    locations: [
      {
        physicalLocation: {
          artifactLocation: artifactLocation(file.path),
          region: { startLine, endLine, ...(f.evidence !== "" ? { snippet: { text: f.evidence } } : {}) },
        },
      },
    ],
    partialFingerprints: { [FINGERPRINT_KEY]: f.fingerprint },
    properties: { severity: f.severity, confidence: f.confidence, evidence_verified: f.evidence_verified, shard_index: f.shard_index },
  };
}

/** A file nobody could review (wholly or in part) is a result of its own: it must show in code scanning, never be silent. */
function unreviewedResult(f: ReportFile): SarifResult {
  const counted = ` (${coverageCount(f)})`;
  const lead = f.verdict === "unreviewed" ? `Not reviewed${counted}: no rung of the ladder produced an acceptable review.` : `Only partly reviewed${counted}: the unreviewed part is unknown, not passed.`;
  const reasons = f.error ? f.error.split("\n").filter((l) => l.trim() !== "").join("; ") : "no reason was recorded";
  return {
    ruleId: "unreviewed",
    ruleIndex: RULE_IDS.indexOf("unreviewed"),
    level: "warning",
    message: { text: `${lead} Reasons: ${reasons}` },
    locations: [{ physicalLocation: { artifactLocation: artifactLocation(f.path), region: { startLine: 1, endLine: 1 } } }],
    partialFingerprints: { [FINGERPRINT_KEY]: `unreviewed:${f.path}` },
    properties: { verdict: f.verdict, shards: f.shards, shards_reviewed: f.shards_reviewed },
  };
}

function skippedNotification(f: ReportFile) {
  return {
    level: "note",
    message: { text: `skipped ${f.path}: ${f.skip_reason ?? "no reason recorded"}` },
    locations: [{ physicalLocation: { artifactLocation: artifactLocation(f.path) } }],
  };
}

function isProblem(f: ReportFinding): f is ReportFinding & { category: ProblemCategory } {
  return f.category !== "verified_components";
}

function isUnreviewed(f: ReportFile): boolean {
  return f.verdict === "unreviewed" || (f.coverage_complete === false && f.verdict !== "skipped");
}
