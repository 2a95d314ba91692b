/** `scrum dismiss FINGERPRINT|PATH:LINE --reason TEXT`, `--list`, `--undo ID`: findings a user decided are not problems. */
import type { Kb } from "../../../kb/kb";
import { UsageError } from "../../../domain/errors";
import { kbPathOf, openKb, sources, type CommandContext } from "../context";
import { readStateView } from "../state-view";
import { renderTable } from "../table";

export interface DismissFlags {
  reason?: string;
  list?: boolean;
  undo?: string;
}

export function dismissCommand(ctx: CommandContext, target: string | undefined, flags: DismissFlags): number {
  const modes = [target !== undefined, flags.list === true, flags.undo !== undefined].filter(Boolean).length;
  if (modes !== 1) throw new UsageError("usage: scrum dismiss FINGERPRINT|PATH:LINE --reason TEXT | scrum dismiss --list | scrum dismiss --undo ID");
  const kb = openKb(ctx, { mustExist: true });
  try {
    if (flags.list) return list(ctx, kb);
    if (flags.undo !== undefined) {
      const id = Number(flags.undo);
      const dismissal = kb.dismissals.all().find((d) => d.id === id && d.undone_at === null);
      if (!Number.isInteger(id) || !dismissal) throw new UsageError(`no active dismissal with id ${flags.undo}; \`scrum dismiss --list\` shows them`);
      // Say what the undo did, measured: the state's count for the file before and after.
      const counted = () => readStateView(kb, undefined).rows.find((r) => r.path === dismissal.path)?.findings_count ?? 0;
      const before = kb.state.latestIteration() === null ? 0 : counted();
      kb.dismissals.undo(id);
      const after = kb.state.latestIteration() === null ? 0 : counted();
      const countsNow = after > before;
      if (ctx.json) ctx.io.out(JSON.stringify({ id, undone: true, fingerprint: dismissal.fingerprint, path: dismissal.path, counts_from: countsNow ? "now" : "next_review", ...sources(ctx) }));
      else if (countsNow) ctx.io.out(`dismissal ${id} undone: the finding counts again now (${dismissal.path} has ${after} counting finding${after === 1 ? "" : "s"} in the state)`);
      else ctx.io.out(`dismissal ${id} undone: ${dismissal.path}'s latest review recorded the finding as dismissed (or did not find it), so it counts again from the file's next review that finds it (\`scrum run ${dismissal.path}\`)`);
      return 0;
    }
    const reason = flags.reason?.trim();
    if (!reason) throw new UsageError("--reason TEXT is required: say why the finding is not a problem (it is shown in reports and SARIF suppressions)");
    const found = resolveTarget(ctx, kb, target!);
    const id = kb.dismissals.add({ fingerprint: found.fingerprint, path: found.path, reason });
    if (ctx.json) ctx.io.out(JSON.stringify({ id, fingerprint: found.fingerprint, path: found.path, title: found.title, reason, ...sources(ctx) }));
    else ctx.io.out(`dismissal ${id}: ${found.path}:${found.line_start} ${found.title} (${found.fingerprint}) stays out of verdicts, metrics and flagged while its fingerprint persists`);
    return 0;
  } finally {
    kb.close();
  }
}

function list(ctx: CommandContext, kb: Kb): number {
  const rows = kb.dismissals.all();
  if (ctx.json) ctx.io.out(JSON.stringify(rows, null, 2));
  else if (rows.length === 0) ctx.io.out("no dismissals");
  else ctx.io.out(renderTable(["id", "status", "fingerprint", "path", "created", "reason"], rows.map((d) => [d.id, d.undone_at ? "undone" : "active", d.fingerprint, d.path, d.created_at.slice(0, 19), d.reason])));
  return 0;
}

/** A fingerprint the KB has seen, or PATH:LINE naming one counting finding of the file's latest review. */
function resolveTarget(ctx: CommandContext, kb: Kb, target: string) {
  const at = /^(.+):(\d+)$/.exec(target);
  if (at) {
    const path = kbPathOf(ctx, at[1]!);
    const line = Number(at[2]);
    const view = readStateView(kb, undefined);
    const row = view.rows.find((r) => r.path === path);
    if (!row || view.stateOf === null) throw new UsageError(`the state has no review of ${path}; \`scrum status\` lists the files the KB knows`);
    const here = kb.findings.inIteration(row.from_iteration_id, path).filter((f) => f.category !== "verified_components" && f.dismissal_id === null && f.line_start <= line && line <= f.line_end);
    if (here.length === 0) throw new UsageError(`no finding of ${path} covers line ${line} (its latest review is iteration ${row.from_iteration_id}; \`scrum show ${path}\` lists them)`);
    if (here.length > 1) {
      throw new UsageError(`${here.length} findings of ${path} cover line ${line}; dismiss one by fingerprint:\n${here.map((f) => `  ${f.fingerprint}  ${f.category}  ${f.title}`).join("\n")}`);
    }
    return here[0]!;
  }
  return byFingerprint(kb, target);
}

/** Fingerprints are 16 hex digits; a prefix of at least this many names one when no other fingerprint shares it. */
export const MIN_FINGERPRINT_PREFIX = 8;

/** The finding a fingerprint, or a unique prefix of one, names. */
function byFingerprint(kb: Kb, target: string) {
  const hex = target.toLowerCase();
  const exact = kb.findings.byFingerprint(hex);
  if (exact) return exact;
  if (!/^[0-9a-f]+$/.test(hex)) throw new UsageError(`"${target}" is neither a fingerprint (hex digits) nor PATH:LINE; \`scrum show PATH\` lists fingerprints`);
  if (hex.length < MIN_FINGERPRINT_PREFIX) {
    throw new UsageError(`"${target}" is too short: give at least ${MIN_FINGERPRINT_PREFIX} hex digits of a fingerprint (\`scrum show PATH\` lists them), or PATH:LINE`);
  }
  const matches = kb.findings.withPrefix(hex);
  if (matches.length === 0) throw new UsageError(`no finding has a fingerprint starting "${target}"; \`scrum show PATH\` lists fingerprints, or give PATH:LINE`);
  if (matches.length > 1) {
    const listed = matches.map((m) => `  ${m.fingerprint}  ${m.path}:${m.line_start}  ${m.category}  ${m.title}`).join("\n");
    throw new UsageError(`"${target}" starts ${matches.length === 20 ? "20 or more" : matches.length} fingerprints; give more digits:\n${listed}`);
  }
  return kb.findings.byFingerprint(matches[0]!.fingerprint)!;
}
