/**
 * Benchmarks that run the pipeline in their own process measure it as `bin/scrum` runs it: with the environment the
 * launcher sets (the allocator's purge delay, docs/PERFORMANCE.md). A benchmark started without that environment
 * starts itself again with it, so `bun scripts/bench-run.ts` and `scrum run` are measured alike.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** The variables bin/scrum sets when they are unset: its `NAME="${NAME:-VALUE}"` lines. */
export function launcherEnv(launcher = join(import.meta.dir, "../bin/scrum")): Record<string, string> {
  const text = readFileSync(launcher, "utf8");
  return Object.fromEntries([...text.matchAll(/^([A-Z_][A-Z0-9_]*)="\$\{\1:-([^}"]*)\}"$/gm)].map((m) => [m[1]!, m[2]!]));
}

/** Run this script again with the launcher's environment when it lacks some of it; returns when it has it. */
export function asLaunched(): void {
  const wanted = launcherEnv();
  const missing = Object.keys(wanted).filter((name) => process.env[name] === undefined);
  if (missing.length === 0) return;
  console.error(`(running again as bin/scrum runs scrum: ${missing.map((n) => `${n}=${wanted[n]}`).join(" ")})`);
  const child = spawnSync(process.execPath, process.argv.slice(1), { stdio: "inherit", env: { ...process.env, ...wanted } });
  process.exit(child.status ?? 1);
}
