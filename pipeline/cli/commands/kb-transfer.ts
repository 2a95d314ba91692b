/**
 * `scrum kb export KB` / `scrum kb import KB`: copy the whole history between knowledge bases, on either engine (a
 * SQLite file or a PostgreSQL URL) — kb/transfer.ts. Export writes a new KB (a file that must not exist yet, or an
 * empty PostgreSQL KB); import fills the command's KB, which must be empty, from another.
 */
import { existsSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import { Kb } from "../../../kb/kb";
import { isPostgresLocation, showLocation } from "../../../kb/engine";
import { copyHistory, type TransferCounts } from "../../../kb/transfer";
import { UsageError } from "../../../domain/errors";
import { homeOf, kbFile, openKb, sources, type CommandContext } from "../context";
import { checkOutFile } from "../paths";

/** The other KB's location: a PostgreSQL URL as given, a file resolved against the current directory. */
function locate(ctx: CommandContext, typed: string): string {
  if (typed.trim() === "") throw new UsageError("give the other knowledge base: a file (scrum.db) or a postgres:// URL");
  return isPostgresLocation(typed) ? typed : resolve(ctx.cwd, typed);
}

function say(ctx: CommandContext, verb: string, counts: TransferCounts, from: string, to: string): void {
  const rows = Object.values(counts).reduce((a, b) => a + b, 0);
  if (ctx.json) {
    ctx.io.out(JSON.stringify({ from: showLocation(from), to: showLocation(to), iterations: counts.iterations ?? 0, rows, tables: counts, ...sources(ctx) }, null, 2));
    return;
  }
  ctx.io.out(`${verb} ${counts.iterations ?? 0} iterations (${rows} rows) from ${showLocation(from)} to ${showLocation(to)}`);
}

/** Copy the command's KB into a new one at `target`. */
export function kbExportCommand(ctx: CommandContext, typed: string): number {
  const target = locate(ctx, typed);
  if (!isPostgresLocation(target)) {
    checkOutFile(ctx.cwd, typed, "kb export", homeOf(ctx));
    if (existsSync(target)) throw new UsageError(`${target} exists; kb export writes a new knowledge base (give a new file, or an empty postgres:// KB)`);
  }
  const source = openKb(ctx, { mustExist: true, snapshot: true });
  let into: Kb | undefined;
  try {
    into = new Kb(target);
    const counts = copyHistory(source.db, into.db, { from: showLocation(kbFile(ctx)), to: showLocation(target) });
    say(ctx, "exported", counts, kbFile(ctx), target);
    return 0;
  } catch (e) {
    into?.close();
    into = undefined;
    // A refused export leaves no new file behind.
    if (!isPostgresLocation(target)) for (const suffix of ["", "-wal", "-shm"]) rmSync(`${target}${suffix}`, { force: true });
    throw e;
  } finally {
    into?.close();
    source.close();
  }
}

/** Fill the command's (empty) KB with the history of the KB at `typed`. */
export function kbImportCommand(ctx: CommandContext, typed: string): number {
  const from = locate(ctx, typed);
  if (!isPostgresLocation(from) && !existsSync(from)) throw new UsageError(`no knowledge base at ${from}; give the KB file (or postgres:// URL) to import`);
  if (!isPostgresLocation(from) && !isPostgresLocation(kbFile(ctx)) && existsSync(kbFile(ctx)) && resolve(from) === resolve(kbFile(ctx))) {
    throw new UsageError(`${from} is the knowledge base imported into; give another`);
  }
  const source = new Kb(from);
  try {
    source.beginSnapshot();
    const into = openKb(ctx, { mustExist: false });
    try {
      const counts = copyHistory(source.db, into.db, { from: showLocation(from), to: showLocation(kbFile(ctx)) });
      say(ctx, "imported", counts, from, kbFile(ctx));
      return 0;
    } finally {
      into.close();
    }
  } finally {
    source.close();
  }
}
