/**
 * A PostgreSQL server for the tests that run the KB on PostgreSQL: $SCRUM_TEST_POSTGRES_URL when set (.ci/run
 * starts one), else a throwaway server started here by scripts/postgres/start.sh and stopped when the process exits.
 * Each caller gets its own schema in that database (`?schema=`), so tests never see each other's rows.
 * Null (the tests are skipped and say why) when there is no PostgreSQL on the machine.
 */
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { atEnd } from "../at-end";

/**
 * `SCRUM_TEST_KB_ENGINE=postgres`: the tests built on testKb() (and every project of tests/e2e/harness.ts) keep
 * their KB on PostgreSQL instead of in a file.
 */
export const ON_POSTGRES = process.env.SCRUM_TEST_KB_ENGINE === "postgres";

let base: string | null | undefined;
export let postgresUnavailable = "";

function server(): string | null {
  if (base !== undefined) return base;
  const given = process.env.SCRUM_TEST_POSTGRES_URL;
  if (given) return (base = given);
  // Stopped after the last test file (tests/at-end.ts); the script's watchdog stops it once this process is gone if that never runs.
  const started = spawnSync(join(import.meta.dir, "../../scripts/postgres/start.sh"), { encoding: "utf8", timeout: 60_000, env: { ...process.env, SCRUM_PG_OWNER_PID: String(process.pid) } });
  if (started.status !== 0) {
    postgresUnavailable = started.stderr.trim() || `scripts/postgres/start.sh exited ${started.status}`;
    return (base = null);
  }
  const [url, pid, dir] = started.stdout.trim().split(" ");
  atEnd(() => {
    try {
      process.kill(Number(pid), "SIGINT");
    } catch {
      // Already gone.
    }
    // The data directory goes once the server has stopped; a server still stopping keeps its files a moment.
    spawnSync("sh", ["-c", `for i in 1 2 3 4 5 6 7 8 9 10; do kill -0 ${Number(pid)} 2>/dev/null || break; sleep 0.2; done`]);
    rmSync(dir!, { recursive: true, force: true });
  });
  return (base = url!);
}

const locations = new Map<string, string>();

/** The KB location a test uses for `file`: the file, or under ON_POSTGRES one PostgreSQL schema per file. */
export function testKb(file: string): string {
  if (!ON_POSTGRES) return file;
  let url = locations.get(file);
  if (url === undefined) {
    const made = postgresKb("kb");
    if (made === null) throw new Error(`SCRUM_TEST_KB_ENGINE=postgres and no PostgreSQL server: ${postgresUnavailable}`);
    locations.set(file, (url = made));
  }
  return url;
}

/** A KB location in a schema of its own, or null when no PostgreSQL server can be had. */
export function postgresKb(name = "t"): string | null {
  const url = server();
  if (url === null) return null;
  const schema = `${name.toLowerCase().replace(/[^a-z0-9_]/g, "_")}_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  return `${url}${url.includes("?") ? "&" : "?"}schema=${schema}`;
}

/**
 * $SCRUM_KB for a `scrum` process the test spawns in a folder where it would find its KB file itself: "" (it does), or
 * under ON_POSTGRES a new PostgreSQL KB of its own (each call a fresh, empty one).
 */
export function spawnedKb(name = "spawned"): string {
  if (!ON_POSTGRES) return "";
  const url = postgresKb(name);
  if (url === null) throw new Error(`SCRUM_TEST_KB_ENGINE=postgres and no PostgreSQL server: ${postgresUnavailable}`);
  return url;
}

/**
 * $SCRUM_KB for a `scrum` process the test spawns in `root`, where it finds `.scrum/scrum.db` itself: "", or under
 * ON_POSTGRES that file's PostgreSQL KB (testKb of it, so `new Kb(testKb(…/.scrum/scrum.db))` reads the same KB).
 */
export function rootKbEnv(root: string): string {
  return ON_POSTGRES ? testKb(join(root, ".scrum", "scrum.db")) : "";
}
