/** One fuzz case, run in-process through the CLI's `main`, classified: ok, stack trace, silent failure, or a refused run that changed the KB. */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { main } from "../../pipeline/cli/main";
import type { Io } from "../../pipeline/cli/context";
import type { FuzzCase } from "./generate";
import { caseDir, fillPlaceholders, type Sandbox } from "./sandbox";

export type Failure = "stack_trace" | "bad_exit" | "silent" | "kb_changed" | "kb_destroyed" | "hang" | "crash" | "wrong_exit";

export interface CaseResult {
  id: string;
  code: number;
  ms: number;
  failure: Failure | null;
  /** The last lines of stderr (where the message or the trace is). */
  stderr: string;
}

/** A JavaScript stack frame as Bun and V8 print them: "    at fn (file:line:col)". */
const FRAME = /^\s+at\s.+(:\d+|native|<anonymous>)/m;

/** The KB's bytes (with its WAL), or "absent". */
export function kbDigest(kb: string): string {
  if (!existsSync(kb)) return "absent";
  const h = createHash("sha256").update(readFileSync(kb));
  if (existsSync(`${kb}-wal`)) h.update(readFileSync(`${kb}-wal`));
  return h.digest("hex");
}

/** Whether the file still starts with SQLite's header. */
function isSqlite(file: string): boolean {
  if (!existsSync(file)) return false;
  return readFileSync(file).subarray(0, 16).toString("latin1") === "SQLite format 3\u0000";
}

/** Run one case in a fresh copy of the sandbox's template repository. */
export async function runCase(c: FuzzCase, sandbox: Sandbox, options: { keep?: boolean } = {}): Promise<CaseResult> {
  const { dir, paths } = caseDir(sandbox, c.id);
  if (c.toml !== undefined) writeFileSync(join(dir, ".scrum", "routing.toml"), fillPlaceholders(c.toml, paths));
  const argv = c.argv.map((a) => fillPlaceholders(a, paths));
  const kb = paths["@KB"];
  const before = kbDigest(kb);
  let out = "";
  let err = "";
  const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t), errIsTty: false };
  const started = performance.now();
  let code: number;
  try {
    code = await main(argv, { PATH: process.env.PATH, HOME: dir, NO_COLOR: "1" }, io, dir, new AbortController().signal);
  } catch (e) {
    // main maps every error to an exit code; one escaping it is a crash of the CLI itself.
    code = -1;
    err += `\n(escaped main) ${(e as Error)?.stack ?? String(e)}`;
  }
  const ms = Math.round(performance.now() - started);
  let failure: Failure | null = null;
  if (code === -1 || FRAME.test(err) || FRAME.test(out)) failure = "stack_trace";
  else if (![0, 1, 2, 3].includes(code)) failure = "bad_exit";
  // A failure must say something (stderr, or stdout for a command whose output is the diagnosis: `config check`).
  else if ((code === 1 || code === 2) && err.trim() === "" && out.trim() === "") failure = "silent";
  else if (code === 2 && kbDigest(kb) !== before) failure = "kb_changed";
  // Whatever the exit code, the KB must still be a KB (`dashboard --out KB` overwrote it and exited 0).
  else if (!isSqlite(kb)) failure = "kb_destroyed";
  else if (c.expect_code !== undefined && code !== c.expect_code) failure = "wrong_exit";
  if (!options.keep) rmSync(dirname(dir), { recursive: true, force: true });
  return { id: c.id, code, ms, failure, stderr: err.trim().split("\n").slice(-12).join("\n").slice(0, 3000) };
}
