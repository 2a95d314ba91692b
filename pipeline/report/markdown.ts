/** `scrum report --format md`: the iteration report as a Markdown document for people (PR comments, wikis, CI summaries). */
import { coverageCount, isDismissed, type IterationReport, type ReportFile, type ReportFinding } from "./iteration-report";
import { code, table, text } from "./markdown-text";

/** Render the report as Markdown. Pure. */
export function renderMarkdown(report: IterationReport): string {
  const it = report.iteration;
  const title = `${report.scope === "state" ? "state after " : ""}iteration ${it.id}${it.label ? ` (${text(it.label)})` : ""}`;
  const sections = [
    `# scrum report: ${title}`,
    iterationFacts(report),
    "## Headline metrics",
    headlineMetrics(report),
    "## Flagged files, most urgent first",
    flagged(report),
    "## Files with findings",
    filesWithFindings(report),
    "## Unreviewed files",
    unreviewed(report),
    "## Degraded reviews",
    degradedFiles(report),
    "## Skipped files",
    skipped(report),
  ];
  return `${sections.join("\n\n")}\n`;
}

function iterationFacts(report: IterationReport): string {
  const it = report.iteration;
  const facts = [
    `- status: **${it.status}**`,
    `- started: ${it.started_at}`,
    `- finished: ${it.finished_at ?? "not finished"}`,
    `- git commit: ${it.git_commit ? code(it.git_commit) : "unknown"}`,
    `- targets: ${it.targets.length > 0 ? it.targets.map((t) => code(t)).join(", ") : "none recorded"}`,
  ];
  if (it.error) facts.push(`- error: ${text(it.error)}`);
  return facts.join("\n");
}

function headlineMetrics(report: IterationReport): string {
  const m = (name: string): string => {
    const v = report.metrics[name];
    return v === undefined || v === null ? "n/a" : String(v);
  };
  const cost = report.metrics.cost_usd;
  const state = report.scope === "state";
  const rows = [
    ["files", `${m("files_total")} (reviewed ${m("files_reviewed")}, skipped ${m("files_skipped")}, unreviewed ${m("files_unreviewed")}, partial coverage ${m("files_partial_coverage")})`],
    ["verdicts", `pass ${m("verdict_pass")}, needs_patch ${m("verdict_needs_patch")}, fail ${m("verdict_fail")}`],
    ["findings", `${m("findings_total")} (high ${m("findings_high")}, medium ${m("findings_medium")}, low ${m("findings_low")})`],
    ["evidence unverified", m("evidence_unverified")],
    ["tiers", `auto ${m("tier_auto")}, review ${m("tier_review")}, block ${m("tier_block")}`],
    ...(state ? [["stale (changed since their review)", m("state_stale")]] : []),
  ];
  if (state) {
    return `${table(["metric", "value"], rows)}

_Every file's latest review after iteration ${report.iteration.id}. A run's attempts, tokens, cost and wall time are the iteration's: \`scrum report ITER\`._`;
  }
  rows.push(
    ["escalations", m("escalations")],
    ["thin rejections", m("thin_rejections")],
    ["attempts", m("attempts_total")],
    ["tokens", `${m("tokens_in")} in, ${m("tokens_out")} out`],
    ["cost", typeof cost === "number" ? `$${cost.toFixed(4)}` : "n/a"],
    ["wall time", report.metrics.wall_ms == null ? "n/a" : `${m("wall_ms")} ms`],
  );
  const note =
    report.metrics_source === "computed"
      ? `\n\n_The iteration is ${report.iteration.status} and stored no metrics; these are recomputed from its file rows (no wall time or probes)._`
      : "";
  return table(["metric", "value"], rows) + note;
}

function flagged(report: IterationReport): string {
  if (report.flagged.length === 0) return "Nothing flagged.";
  return table(
    ["#", "path", "verdict", "tier", "critical", "missing", "findings"],
    report.flagged.map((f, i) => [String(i + 1), code(f.path, { inTable: true }), f.verdict, f.gradient_tier ?? "-", String(f.critical_failures_count), String(f.missing_components_count), String(f.findings_count)]),
  );
}

/** Files with problem findings, and reviewed files whose coverage is partial (even without findings: partial must be said). */
function filesWithFindings(report: IterationReport): string {
  const files = report.files.filter(
    (f) => problems(f).length > 0 || (f.coverage_complete === false && f.verdict !== "unreviewed" && f.verdict !== "skipped"),
  );
  if (files.length === 0) return "No file has a problem finding.";
  return files.map(fileSection).join("\n\n");
}

function fileSection(f: ReportFile): string {
  const verified = f.findings.filter((x) => x.category === "verified_components").length;
  const dismissed = f.findings.filter((x) => x.category !== "verified_components" && isDismissed(x));
  const facts = [
    `- verdict: **${f.verdict}**, tier ${f.gradient_tier ?? "-"}${f.alignment_score !== null ? `, alignment ${f.alignment_score}/10` : ""}`,
    `- coverage: ${coverage(f)}`,
    `- reduced by: ${f.reduced_by ? text(f.reduced_by) : "-"}`,
  ];
  if (verified > 0) facts.push(`- verified components: ${verified}`);
  if (dismissed.length > 0) facts.push(`- dismissed (left out below): ${dismissed.map((x) => `${x.fingerprint} — ${text(x.dismissal!.reason)}`).join("; ")}`);
  const parts = [`### ${code(f.path)}`, facts.join("\n")];
  const rows = problems(f);
  if (rows.length > 0) {
    parts.push(
      table(
        ["lines", "category", "severity", "confidence", "title", "evidence", "evidence check"],
        rows.map((x) => [lines(x), x.category, x.severity, String(x.confidence), text(x.title), code(x.evidence, { inTable: true }), x.evidence_verified ? "verified" : "**UNVERIFIED**"]),
      ),
    );
  }
  return parts.join("\n\n");
}

function coverage(f: ReportFile): string {
  const counted = coverageCount(f);
  if (f.coverage_complete === true) return `complete (${counted})`;
  if (f.coverage_complete === null) return "none (not sharded)";
  return `**partial**: ${counted}; not reviewed:\n${reasons(f.error, "  ")}`;
}

function unreviewed(report: IterationReport): string {
  const files = report.files.filter((f) => f.verdict === "unreviewed");
  if (files.length === 0) return "None: every file that was not skipped got a verdict.";
  return files
    .map((f) => {
      return `- ${code(f.path)} (${coverageCount(f)}):\n${reasons(f.error, "  ")}`;
    })
    .join("\n");
}

/** Files whose latest review only the static rung gave after the model rungs gave up (in the state: kept at their model review). */
function degradedFiles(report: IterationReport): string {
  const files = report.files.filter((f) => f.degraded !== null);
  if (files.length === 0) return "None: every reviewed file was answered by the rungs its ladder intends.";
  const lead = report.scope === "state" ? "Their latest review was answered only by the static rung after the model rungs gave up; the state keeps the last model review where there is one." : "Answered only by the static rung after the model rungs gave up.";
  return `${lead}\n\n${files.map((f) => `- ${code(f.path)} (reviewer ${f.reviewer ?? "unknown"}):\n${reasons(f.degraded, "  ")}`).join("\n")}`;
}

function skipped(report: IterationReport): string {
  const files = report.files.filter((f) => f.verdict === "skipped");
  if (files.length === 0) return "None.";
  return table(
    ["path", "reason"],
    files.map((f) => [code(f.path, { inTable: true }), f.skip_reason ? text(f.skip_reason) : "no reason recorded"]),
  );
}

/** The stored reasons (one line per unreviewed shard) as a nested list. */
function reasons(error: string | null, indent: string): string {
  if (!error) return `${indent}- no reason was recorded`;
  return error
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => `${indent}- ${text(l)}`)
    .join("\n");
}

/** The problem findings that stand: dismissed ones are left out (every format agrees; SARIF keeps them as suppressed). */
function problems(f: ReportFile): ReportFinding[] {
  return f.findings.filter((x) => x.category !== "verified_components" && !isDismissed(x));
}

function lines(f: ReportFinding): string {
  // A reviewer gives line 0 when the finding is about the file as a whole.
  if (f.line_start <= 0) return "file";
  return f.line_end > f.line_start ? `${f.line_start}-${f.line_end}` : String(f.line_start);
}
