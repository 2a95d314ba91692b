/** End-to-end harness: a temp project with a routing.toml pointing at the simulated model server, and the real CLI. */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { Database } from "bun:sqlite";
import { main } from "../../pipeline/cli/main";

export const REPO = resolve(import.meta.dir, "../..");

export interface Project {
  dir: string;
  kb: string;
  /** Run the CLI in the project; returns exit code and captured output. */
  scrum: (...argv: string[]) => Promise<{ code: number; out: string; err: string }>;
  db: () => Database;
  cleanup: () => void;
}

/** A temp project (not a git repository) holding `files` (relative path → source path in the repo) and `.scrum/routing.toml`. */
export function makeProject(files: Record<string, string>, routing: string, env: Record<string, string> = {}): Project {
  const dir = mkdtempSync(join(tmpdir(), "scrum-e2e-"));
  for (const [rel, src] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    copyFileSync(resolve(REPO, src), join(dir, rel));
  }
  mkdirSync(join(dir, ".scrum"), { recursive: true });
  writeFileSync(join(dir, ".scrum/routing.toml"), routing);
  const kb = join(dir, ".scrum/scrum.db");
  return {
    dir,
    kb,
    scrum: async (...argv) => {
      let out = "";
      let err = "";
      const io = { out: (t: string) => void (out += `${t}\n`), err: (t: string) => void (err += t), errIsTty: false };
      const code = await main(argv, env, io, dir, new AbortController().signal);
      return { code, out, err };
    },
    db: () => new Database(kb, { readonly: true }),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** One [[ladder]] rung in TOML; `extra` lines override the test defaults (no retries, 5 s timeout). */
export function rung(name: string, provider: "ollama" | "openai", url: string, model: string, extra = ""): string {
  const where = provider === "ollama" ? `host = "${url}"` : `base_url = "${url}"`;
  const defaults = ["retries = 0", "timeout_s = 5"].filter((d) => !extra.includes(d.split(" ")[0]!));
  return [`[[ladder]]`, `name = "${name}"`, `provider = "${provider}"`, `model = "${model}"`, where, ...defaults, extra, ""].join("\n");
}

/**
 * Run bin/scrum as its own process in `cwd` (asynchronously, so a simulated server in this process keeps answering);
 * SCRUM_KB and SCRUM_CONFIG are cleared unless `env` sets them.
 */
export async function spawnScrum(cwd: string, argv: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  const child = Bun.spawn([join(REPO, "bin/scrum"), ...argv], { cwd, stdout: "pipe", stderr: "pipe", env: { ...process.env, SCRUM_KB: "", SCRUM_CONFIG: "", ...env } });
  const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { code, out, err };
}
