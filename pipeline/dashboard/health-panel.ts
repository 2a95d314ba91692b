/** The "KB health" panel: is the knowledge base read as well as written, and how much of it can be trusted. Pure. */
import { ATTEMPT_OUTCOMES, type KbHealth } from "./data";
import { formatDuration, formatShare, plural } from "./format";
import { prose, table, textTile, tile, type Cell } from "./html";

export interface HealthCheck {
  level: "ok" | "warn";
  text: string;
}

/** Plain-language checks over the health numbers: what a reader should look at first. */
export function healthChecks(h: KbHealth): HealthCheck[] {
  const checks: HealthCheck[] = [];
  const check = (bad: boolean, warn: string, ok: string) => checks.push(bad ? { level: "warn", text: warn } : { level: "ok", text: ok });
  check(h.iterations.aborted > 0, `${plural(h.iterations.aborted, "aborted iteration")}: \`scrum run --resume ITER\` finishes one.`, "No aborted iterations.");
  if (h.iterations.running > 0) checks.push({ level: "warn", text: `${plural(h.iterations.running, "iteration")} still marked running: in progress, or a process that died before marking it aborted.` });
  check(h.evidence.unverified > 0, `${plural(h.evidence.unverified, "problem finding")} quote evidence that is not in the file.`, "Every problem finding's evidence was found in its file.");
  check(h.coverage.partial > 0, `${plural(h.coverage.partial, "reviewed file row")} with an unreviewed shard (partial coverage).`, "Every reviewed file was covered by all its shards.");
  const failed = h.attemptsByOutcome.error + h.attemptsByOutcome.timeout;
  check(failed > 0, `${plural(failed, "model call")} failed with an error or timeout.`, "No model call failed with an error or timeout.");
  if (h.rows.notes === 0) checks.push({ level: "warn", text: "No notes yet: `scrum note add PATH TEXT` carries an observation into the file's next review." });
  else if (h.notes.open > 0) checks.push({ level: "ok", text: `${plural(h.notes.open, "open note")} waiting for the next iteration that reviews its file.` });
  return checks;
}

function outcomeCells(counts: KbHealth["attemptsByOutcome"]): Cell[] {
  return ATTEMPT_OUTCOMES.map((o) => counts[o]);
}

/** The whole panel. */
export function renderHealthPanel(h: KbHealth): string {
  const last = h.lastIteration;
  const tiles = [
    tile("iterations_total", "iterations", h.iterations.total, "count", `${h.iterations.done} done · ${h.iterations.aborted} aborted · ${h.iterations.running} running`),
    textTile("last_iteration_age", "since the last iteration", last ? formatDuration(last.ageMs) : "–", last ? `#${last.id} at ${last.at}` : "none yet"),
    textTile("evidence_unverified_share", "problem findings with unverified evidence", formatShare(h.evidence.unverified, h.evidence.findings), `${h.evidence.unverified} of ${h.evidence.findings} problem finding rows`),
    textTile("partial_coverage_share", "reviewed files with partial coverage", formatShare(h.coverage.partial, h.coverage.reviewed), `${h.coverage.partial} of ${h.coverage.reviewed} reviewed file rows`),
    tile("notes_open", "open notes", h.notes.open, "count", `${h.notes.picked_up} picked up · ${h.notes.resolved} resolved`),
  ].join("");
  const checks = healthChecks(h)
    .map((c) => `<li class="check-${c.level}">${prose(c.text)}</li>`)
    .join("");
  const r = h.rows;
  const rowsTable = table(
    ["table", "rows"],
    [["iterations", r.iterations], ["file_reviews", r.file_reviews], ["findings", r.findings], ["attempts", r.attempts], ["metrics", r.metrics], ["notes", r.notes]],
    { id: "rows", empty: "" },
  );
  const notesTable = table(["status", "notes"], [["open", h.notes.open], ["picked_up", h.notes.picked_up], ["resolved", h.notes.resolved]], { id: "notes", empty: "" });
  const outcomes = table(["", ...ATTEMPT_OUTCOMES, "total"], [["all rungs", ...outcomeCells(h.attemptsByOutcome), r.attempts]], { id: "attempts-outcome", empty: "" });
  const byRung = table(["rung", ...ATTEMPT_OUTCOMES, "total"], h.attemptsByRung.map((x) => [x.rung, ...outcomeCells(x.outcomes), x.total]), { id: "attempts-rung", empty: "No attempts stored yet." });
  return [
    `<h2>KB health</h2>`,
    `<p class="meta">schema version ${h.schemaVersion}; shares are over every iteration in the KB</p>`,
    `<div class="tiles">${tiles}</div>`,
    `<ul class="checks">${checks}</ul>`,
    `<div class="cols"><div><h3>Rows per table</h3>${rowsTable}</div><div><h3>Notes</h3>${notesTable}</div></div>`,
    `<h3>Attempts by outcome</h3>${outcomes}`,
    `<h3>Attempts by rung</h3>${byRung}`,
  ].join("\n");
}
