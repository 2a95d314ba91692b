/** The "latest iteration" panel: headline numbers, flagged files most urgent first, their findings, unreviewed and skipped files. Pure. */
import type { LatestIteration } from "./data";
import { escapeHtml, formatNumber, iterationName } from "./format";
import { badge, code, path, prose, raw, table, tile, type Cell } from "./html";

/** Findings listed on the page; the rest are counted and left to `scrum report`. */
export const MAX_FINDINGS_SHOWN = 200;

/** The headline numbers of one iteration. */
function headline(latest: LatestIteration): string {
  const m = latest.point.metrics;
  const v = (name: string) => m[name] ?? null;
  const severities = `${formatNumber(v("findings_high"))} high · ${formatNumber(v("findings_medium"))} medium · ${formatNumber(v("findings_low"))} low`;
  return `<div class="tiles">${[
    tile("files_total", "files", v("files_total"), "count", `${formatNumber(v("files_reviewed"))} reviewed`),
    tile("verdict_pass", "pass", v("verdict_pass")),
    tile("verdict_needs_patch", "needs_patch", v("verdict_needs_patch")),
    tile("verdict_fail", "fail", v("verdict_fail")),
    tile("files_unreviewed", "unreviewed", v("files_unreviewed")),
    tile("files_skipped", "skipped", v("files_skipped")),
    tile("findings_total", "findings", v("findings_total"), "count", severities),
    tile("escalations", "escalations", v("escalations"), "count", `${formatNumber(v("thin_rejections"))} thin rejections`),
    tile("cost_usd", "cost", v("cost_usd"), "usd", `${formatNumber(v("tokens_in"))} tokens in · ${formatNumber(v("tokens_out"))} out`),
    tile("wall_ms", "wall time", v("wall_ms"), "ms"),
  ].join("")}</div>`;
}

function findingsTable(latest: LatestIteration): string {
  const shown = latest.findings.slice(0, MAX_FINDINGS_SHOWN);
  const rows: Cell[][] = shown.map((f) => [
    path(f.path),
    f.line_start === f.line_end ? String(f.line_start) : `${f.line_start}–${f.line_end}`,
    badge(f.severity),
    f.category,
    f.confidence,
    f.title,
    code(f.evidence),
    f.evidence_verified ? "verified" : raw(`<span class="warn">UNVERIFIED</span>`),
  ]);
  const more = latest.findings.length - shown.length;
  const note = more > 0 ? `<p class="note">${prose(`${more} more findings: \`scrum report ${latest.point.id}\` lists all of them.`)}</p>` : "";
  return table(["path", "lines", "severity", "category", "conf", "title", "evidence", "evidence check"], rows, { id: "findings", empty: "No findings in the flagged files." }) + note;
}

/** The whole panel for the latest iteration. */
export function renderLatestPanel(latest: LatestIteration): string {
  const p = latest.point;
  const status = p.status === "done" ? "" : ` ${badge(p.status).html}`;
  const partial =
    p.source === "rows"
      ? `<p class="note">This iteration did not finish, so it has no stored metrics: the numbers below are computed from the rows it stored before it stopped.</p>`
      : "";
  const when = `started ${p.startedAt}${p.finishedAt ? `, finished ${p.finishedAt}` : ""}`;
  const flagged = table(
    ["#", "verdict", "tier", "critical", "missing", "findings", "alignment", "changed since", "path"],
    latest.flagged.map((f, i) => [i + 1, badge(f.verdict), badge(f.gradient_tier), f.critical_failures_count, f.missing_components_count, f.findings_count, f.alignment_score, f.stale ? raw(`<span class="warn">stale</span>`) : "", path(f.path)]),
    { id: "flagged", empty: "Nothing flagged: every reviewed file passed with tier auto." },
  );
  const reasons = (id: string, rows: LatestIteration["unreviewed"], empty: string) =>
    table(["path", "reason"], rows.map((r) => [path(r.path), r.reason === null ? raw(`<span class="warn">no reason stored</span>`) : raw(`<pre>${escapeHtml(r.reason)}</pre>`)]), { id, empty });
  return [
    `<h2>Latest iteration: ${escapeHtml(iterationName(p.id, p.label))}${status}</h2>`,
    `<p class="meta">${escapeHtml(when)}</p>`,
    partial,
    headline(latest),
    `<h3>Flagged files <span class="count">${latest.flagged.length}</span></h3>`,
    `<p class="note">Not pass, or tier not auto, or changed on disk since the review (stale, read when this page was written); most urgent first (the order of <code>scrum flagged --include stale</code>).</p>`,
    flagged,
    `<h3>Findings in the flagged files <span class="count">${latest.findings.length}</span></h3>`,
    findingsTable(latest),
    `<h3>Unreviewed files <span class="count">${latest.unreviewed.length}</span></h3>`,
    reasons("unreviewed", latest.unreviewed, "None: every shard of every file was reviewed by some rung."),
    `<h3>Degraded reviews <span class="count">${latest.degraded.length}</span></h3>`,
    reasons("degraded", latest.degraded, "None: no file's latest review fell back to the static rung."),
    `<h3>Skipped files <span class="count">${latest.skipped.length}</span></h3>`,
    reasons("skipped", latest.skipped, "None."),
  ].join("\n");
}
