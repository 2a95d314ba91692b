/**
 * Files a user names (the config, prompts, instructions, labels, the KB, outputs): checked before they are opened, so
 * a directory, a device or a FIFO is a usage error naming the file, never an EISDIR stack trace or a read that never
 * returns (`/dev/zero`, a pipe nobody writes).
 */
import { readFileSync, statSync, type Stats } from "node:fs";
import { ConfigError } from "../../domain/errors";

/** The largest prompt, instructions or config file read: far above any real one, far below what stalls a run. */
export const MAX_INPUT_BYTES = 4_000_000;

/** What stands at `file`: nothing, a regular file (with its stats), or something else (a directory, a device, a FIFO). */
export function kindOf(file: string): { kind: "missing" } | { kind: "file"; stats: Stats } | { kind: "other"; what: string } {
  let stats: Stats;
  try {
    stats = statSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // ENOTDIR: a path through a file (`README.md/x`); ENAMETOOLONG, ELOOP: no such file can exist there either.
    if (code === "ENOENT" || code === "ENOTDIR" || code === "ENAMETOOLONG" || code === "ELOOP") return { kind: "missing" };
    throw e;
  }
  if (stats.isFile()) return { kind: "file", stats };
  const what = stats.isDirectory() ? "a directory" : stats.isFIFO() ? "a FIFO (named pipe)" : stats.isCharacterDevice() || stats.isBlockDevice() ? "a device" : stats.isSocket() ? "a socket" : "not a regular file";
  return { kind: "other", what };
}

/**
 * Check that `file` is a regular file of at most `maxBytes`; `what` names it in the message ("[prompts] system"),
 * `where` says where it was named (config file and line). Throws a ConfigError (exit 2).
 */
export function checkInputFile(file: string, what: string, options: { where?: string; maxBytes?: number; hint?: string } = {}): void {
  const found = kindOf(file);
  const hint = options.hint ? ` (${options.hint})` : "";
  if (found.kind === "missing") throw new ConfigError(`${what} ${file} does not exist${hint}`, options.where);
  if (found.kind === "other") throw new ConfigError(`${what} ${file} is ${found.what}; give a regular file${hint}`, options.where);
  const max = options.maxBytes ?? MAX_INPUT_BYTES;
  if (found.stats.size > max) throw new ConfigError(`${what} ${file} is ${found.stats.size} bytes, more than the ${max} a file of this kind may have`, options.where);
}

/** Read a checked input file as UTF-8 (see checkInputFile). */
export function readInputFile(file: string, what: string, options: { where?: string; maxBytes?: number; hint?: string } = {}): string {
  checkInputFile(file, what, options);
  return readFileSync(file, "utf8");
}
