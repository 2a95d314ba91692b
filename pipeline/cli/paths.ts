/**
 * The files a command is pointed at by its flags: the KB and config (--kb, --config or the environment) and the file
 * it writes (--out, --events). Checked before anything is opened: an empty name, a directory, a device, or an output
 * that would land on the KB or the config is a usage error (exit 2) with nothing written.
 */
import { realpathSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { kindOf } from "../config/input-file";
import { UsageError } from "../../domain/errors";
import type { Home } from "./discover";
import { isPostgresLocation } from "../../kb/engine";

/** SQLite's companions of a KB file: writing over one of them corrupts the KB as surely as writing over the KB. */
const KB_COMPANIONS = ["", "-wal", "-shm", "-journal"];

/** Refuse an empty --kb/--config and a KB or config path that is a directory, device or FIFO. */
export function checkHome(home: Home, flags: { kb?: string; config?: string }): void {
  if (flags.kb !== undefined && flags.kb.trim() === "") throw new UsageError("--kb needs a file name (e.g. --kb .scrum/scrum.db)");
  if (flags.config !== undefined && flags.config.trim() === "") throw new UsageError("--config needs a file name (e.g. --config .scrum/routing.toml)");
  const config = kindOf(home.config);
  if (config.kind === "other") throw new UsageError(`the config ${home.config} (${home.configFrom}) is ${config.what}; give a routing.toml file`);
  if (isPostgresLocation(home.kb)) return;
  const kb = kindOf(home.kb);
  if (kb.kind === "other") {
    throw new UsageError(`the knowledge base ${home.kb} (${home.kbFrom}) is ${kb.what}; give a KB file${kb.what === "a directory" ? `, e.g. ${join(home.kb, "scrum.db")}` : ""}`);
  }
  // `--kb X.db-wal` would make a database of X.db's write-ahead log: SQLite then discards it, or worse.
  const companion = KB_COMPANIONS.find((suffix) => suffix !== "" && home.kb.endsWith(suffix));
  if (companion !== undefined && kindOf(home.kb.slice(0, -companion.length)).kind === "file") {
    throw new UsageError(`the knowledge base ${home.kb} (${home.kbFrom}) is the ${companion.slice(1)} file of ${home.kb.slice(0, -companion.length)}; give the KB file itself`);
  }
}

/**
 * The absolute file an output flag names, refused when it is empty, a directory or other non-file, or the KB (or its
 * -wal/-shm/-journal) or the config under any name: a report written there would destroy them.
 */
export function checkOutFile(cwd: string, typed: string, flag: string, home: Home): string {
  if (typed.trim() === "") throw new UsageError(`${flag} needs a file name`);
  const out = resolve(cwd, typed);
  const found = kindOf(out);
  if (found.kind === "other") throw new UsageError(`${flag} ${out} is ${found.what}; give a file name${found.what === "a directory" ? ` (e.g. ${join(out, "report.out")})` : ""}`);
  const protectedFiles = [...KB_COMPANIONS.map((s) => ({ file: `${home.kb}${s}`, what: `the knowledge base${s ? ` (its ${s.slice(1)} file)` : ""}` })), { file: home.config, what: "the config" }];
  for (const p of protectedFiles) {
    if (sameFile(out, p.file)) throw new UsageError(`${flag} ${out} is ${p.what}; writing there would destroy it. Give another file`);
  }
  return out;
}

/** Whether two paths name one file: the same path after symlinks, or (hard links) the same inode. */
function sameFile(a: string, b: string): boolean {
  if (canonical(a) === canonical(b)) return true;
  const sa = statSync(a, { throwIfNoEntry: false });
  const sb = statSync(b, { throwIfNoEntry: false });
  return sa !== undefined && sb !== undefined && sa.dev === sb.dev && sa.ino === sb.ino;
}

/** The path with symlinks resolved in its folder (the file itself may not exist yet). */
function canonical(file: string): string {
  return realpathOrNull(file) ?? join(realpathOrNull(dirname(file)) ?? resolve(dirname(file)), basename(file));
}

function realpathOrNull(file: string): string | null {
  try {
    return realpathSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR" || code === "ELOOP" || code === "ENAMETOOLONG" || code === "EACCES") return null;
    throw e;
  }
}
