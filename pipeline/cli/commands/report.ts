/** `scrum report [ITER] --format md|json|sarif|rdjsonl|codeclimate [--out FILE]`: the iteration report, on stdout or written atomically to a file. */
import pkg from "../../../package.json";
import { homeOf, openKb, type CommandContext } from "../context";
import { liveRows } from "../state-view";
import { checkOutFile } from "../paths";
import { UsageError } from "../../../domain/errors";
import { readIterationReport, readStateReport, type IterationReport } from "../../report/iteration-report";
import { renderJson } from "../../report/json";
import { renderMarkdown } from "../../report/markdown";
import { renderSarif } from "../../report/sarif";
import { renderRdjsonl } from "../../report/rdjsonl";
import { renderCodeClimate } from "../../report/codeclimate";
import { writeFileAtomic } from "../../report/write-file-atomic";

export const REPORT_FORMATS = ["md", "json", "sarif", "rdjsonl", "codeclimate"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

const RENDERERS: Record<ReportFormat, (report: IterationReport) => string> = {
  md: renderMarkdown,
  json: renderJson,
  sarif: (report) => renderSarif(report, { toolVersion: pkg.version }),
  rdjsonl: renderRdjsonl,
  codeclimate: renderCodeClimate,
};

/** `scrum report [ITER]`: `--format` (default md; `json` when only the global --json is given), `--out FILE` instead of stdout. */
export function reportCommand(ctx: CommandContext, args: string[], flags: { format?: string; out?: string; scope?: "iteration" | "state" }): number {
  const format = flags.format ?? (ctx.json ? "json" : "md");
  if (!isFormat(format)) throw new UsageError(`--format must be one of: ${REPORT_FORMATS.join(", ")}; got "${format}"`);
  if (args.length > 1) throw new UsageError(`usage: scrum report [ITER] [--format ${REPORT_FORMATS.join("|")}] [--out FILE]`);
  const out = flags.out === undefined ? undefined : checkOutFile(ctx.cwd, flags.out, "--out", homeOf(ctx));
  const kb = openKb(ctx, { mustExist: true, snapshot: true });
  let report: IterationReport;
  try {
    report = flags.scope === "state" ? readStateReport(kb, args[0], (rows) => liveRows(kb, rows, homeOf(ctx).root)) : readIterationReport(kb, args[0]);
  } finally {
    kb.close();
  }
  const text = RENDERERS[format](report);
  if (out === undefined) {
    ctx.io.out(text);
    return 0;
  }
  const file = out;
  writeFileAtomic(file, text);
  if (!ctx.quiet) ctx.io.err(`scrum: ${format} report of ${report.scope === "state" ? "the state after " : ""}iteration ${report.iteration.id} written to ${file}\n`);
  return 0;
}

function isFormat(value: string): value is ReportFormat {
  return (REPORT_FORMATS as readonly string[]).includes(value);
}
