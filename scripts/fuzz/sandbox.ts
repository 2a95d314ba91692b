/**
 * Where fuzz cases run: a temp folder with shared fixtures (a FIFO, a 5 MB file) and a template repository (two
 * source files, a .scrum/routing.toml whose only model rung is a closed local port, a KB with one offline iteration,
 * small input files). Each case gets a fresh copy, so no case sees another's writes.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { main } from "../../pipeline/cli/main";
import type { Io } from "../../pipeline/cli/context";
import { PLACEHOLDERS } from "./generate";

export interface Sandbox {
  dir: string;
  shared: string;
  template: string;
}

export const SANDBOX_CONFIG = `[[ladder]]\nname = "far"\nprovider = "ollama"\nmodel = "m"\nhost = "http://127.0.0.1:9"\nretries = 0\n`;

const quietIo: Io = { out: () => {}, err: () => {}, errIsTty: false };

/** Build the sandbox once per fuzz run (or reuse `dir` when a worker is handed one). */
export async function makeSandbox(dir = mkdtempSync(join(tmpdir(), "scrum-fuzz-"))): Promise<Sandbox> {
  const shared = join(dir, "shared");
  const template = join(dir, "template");
  mkdirSync(shared, { recursive: true });
  const fifo = Bun.spawnSync(["mkfifo", join(shared, "fifo")]);
  if (fifo.exitCode !== 0) throw new Error(`mkfifo failed: ${fifo.stderr.toString()}`);
  writeFileSync(join(shared, "big.md"), "# big\n" + "x".repeat(5_000_000));
  mkdirSync(join(template, ".git"), { recursive: true });
  mkdirSync(join(template, "src"), { recursive: true });
  mkdirSync(join(template, "fx", "dir"), { recursive: true });
  mkdirSync(join(template, ".scrum"), { recursive: true });
  writeFileSync(join(template, "src", "a.ts"), "export function add(a: number, b: number): number {\n  // TODO: overflow\n  return a + b;\n}\n");
  writeFileSync(join(template, "src", "b.py"), "def div(a, b):\n    return a / b  # TODO zero\n");
  writeFileSync(join(template, "fx", "prompt.md"), "You review code. Answer in JSON.\n");
  writeFileSync(join(template, "fx", "empty.md"), "");
  // Files a backtracking probe pattern such as (x+x+)+y takes about a second each on: JavaScriptCore gives up on one
  // match call after its backtrack limit, so the hang is a tree of such files, not one.
  mkdirSync(join(template, "fx", "slow"));
  for (let i = 0; i < 40; i++) writeFileSync(join(template, "fx", "slow", `${i}.txt`), `${"x".repeat(28)}!\n`);
  writeFileSync(join(template, "fx", "labels.jsonl"), '{"path": "src/a.ts", "line_start": 2, "line_end": 3}\n');
  writeFileSync(join(template, "fx", "bad-labels.jsonl"), '{"path": "src/a.ts", "line_start": 0}\nnot json\n');
  writeFileSync(join(template, ".scrum", "routing.toml"), SANDBOX_CONFIG);
  const code = await main(["--quiet", "run", "--offline", "src", "--label", "first"], { PATH: process.env.PATH }, quietIo, template, new AbortController().signal);
  if (code !== 0) throw new Error(`the sandbox's first iteration failed (exit ${code})`);
  return { dir, shared, template };
}

/** A fresh copy of the template for one case, and the placeholder → path map of its hostile values. */
export function caseDir(sandbox: Sandbox, id: string): { dir: string; paths: Record<(typeof PLACEHOLDERS)[number], string> } {
  // A folder of its own around the copy: a case's `../` reaches only its own case, never a case another worker is
  // writing or deleting.
  const dir = join(sandbox.dir, "cases", id, "repo");
  rmSync(dirname(dir), { recursive: true, force: true });
  cpSync(sandbox.template, dir, { recursive: true });
  const kb = join(dir, ".scrum", "scrum.db");
  return {
    dir,
    paths: {
      "@FIFO": join(sandbox.shared, "fifo"),
      "@DIR": join(dir, "fx", "dir"),
      "@BIG": join(sandbox.shared, "big.md"),
      "@KB": kb,
      "@KB_WAL": `${kb}-wal`,
      "@KB_SHM": `${kb}-shm`,
      "@CONFIG": join(dir, ".scrum", "routing.toml"),
      "@MISSING": join(dir, "missing", "nothing.md"),
      "@PROMPT": join(dir, "fx", "prompt.md"),
      "@EMPTY": join(dir, "fx", "empty.md"),
      "@SRC": join(dir, "src"),
      "@LABELS": join(dir, "fx", "labels.jsonl"),
      "@BADLABELS": join(dir, "fx", "bad-labels.jsonl"),
    },
  };
}

/** Replace every placeholder in `text` (longest first: @KB_WAL before @KB). */
export function fillPlaceholders(text: string, paths: Record<string, string>): string {
  let out = text;
  for (const key of Object.keys(paths).sort((a, b) => b.length - a.length)) out = out.replaceAll(key, paths[key]!);
  return out;
}
