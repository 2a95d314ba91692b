/** End-to-end harness: a temp project with a routing.toml pointing at the simulated model server, and the real CLI. */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { Database } from "bun:sqlite";
import { main } from "../../pipeline/cli/main";
import { openEngine } from "../../kb/engine";
import { ON_POSTGRES, postgresKb } from "../kb/postgres-server";

export const REPO = resolve(import.meta.dir, "../..");

/**
 * Under `SCRUM_TEST_KB_ENGINE=postgres` every project of this harness has a PostgreSQL KB (a schema of its own on the
 * server tests/kb/postgres-server.ts finds or starts): the commands get it as $SCRUM_KB, `db()` reads it.
 */
export { ON_POSTGRES };
/** Project folder → its PostgreSQL KB, for spawnScrum (which is given the folder, not the project). */
const postgresKbs = new Map<string, string>();

export interface Project {
  dir: string;
  /** The KB: `.scrum/scrum.db`, or a PostgreSQL URL under SCRUM_TEST_KB_ENGINE=postgres. */
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
  let kb = join(dir, ".scrum/scrum.db");
  if (ON_POSTGRES && env.SCRUM_KB === undefined) {
    const url = postgresKb("e2e");
    if (url === null) throw new Error("SCRUM_TEST_KB_ENGINE=postgres and no PostgreSQL server could be started");
    kb = url;
    env = { ...env, SCRUM_KB: url };
    postgresKbs.set(dir, url);
  }
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
    // The tests read rows with query().all()/get() and close(), which both engines answer.
    db: () => (ON_POSTGRES ? readEngine(kb) : new Database(kb, { readonly: true })),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * The KB of a folder the test runs `scrum` in without a project (spawnScrum(dir, …)): its `.scrum/scrum.db`, or under
 * SCRUM_TEST_KB_ENGINE=postgres a PostgreSQL KB that spawnScrum then passes as $SCRUM_KB.
 */
export function folderKb(dir: string): string {
  if (!ON_POSTGRES) return join(dir, ".scrum/scrum.db");
  const url = postgresKb("folder");
  if (url === null) throw new Error("SCRUM_TEST_KB_ENGINE=postgres and no PostgreSQL server could be started");
  postgresKbs.set(dir, url);
  return url;
}

/** The column names of a KB table, on either engine. */
export function columnsOf(db: Database, table: string): string[] {
  const rows = ON_POSTGRES
    ? (db.prepare(`SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?`).all(table) as { name: string }[])
    : (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]);
  return rows.map((c) => c.name).sort();
}

/**
 * Every byte the KB holds as text: the SQLite file and its WAL, or every row of every table of a PostgreSQL KB.
 * For tests that check a secret is stored nowhere.
 */
export function kbText(p: Pick<Project, "kb">): string {
  if (!ON_POSTGRES) return [p.kb, `${p.kb}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f).toString("latin1")).join("");
  const db = readEngine(p.kb);
  const tables = (db.prepare(`SELECT tablename AS t FROM pg_tables WHERE schemaname = current_schema()`).all() as { t: string }[]).map((r) => r.t);
  const text = tables.map((t) => JSON.stringify(db.prepare(`SELECT * FROM ${t}`).all())).join("\n");
  db.close();
  return text;
}

/** A connection to a PostgreSQL KB that answers what the tests ask a bun:sqlite Database (query/prepare, run, close). */
export function readEngine(url: string): Database {
  const engine = openEngine(url);
  return Object.assign(engine, { prepare: (sql: string) => engine.query(sql) }) as unknown as Database;
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
  const project = [...postgresKbs].find(([dir]) => cwd === dir || cwd.startsWith(`${dir}/`));
  const kb = project ? project[1] : "";
  const child = Bun.spawn([join(REPO, "bin/scrum"), ...argv], { cwd, stdout: "pipe", stderr: "pipe", env: { ...process.env, SCRUM_KB: kb, SCRUM_CONFIG: "", ...env } });
  const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { code, out, err };
}
