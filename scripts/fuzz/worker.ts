/**
 * A fuzz worker: runs the cases of a JSON file in-process, one after another, and reports each on stdout as a line
 * `FUZZ\t{json}` ("start" before, the result after), so the parent (scripts/fuzz.ts) can bound each case's time and
 * name the case a hang or a crash killed. Usage: bun scripts/fuzz/worker.ts CASES.json SANDBOX_DIR
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { FuzzCase } from "./generate";
import { runCase } from "./run-case";

const [casesFile, sandboxDir] = process.argv.slice(2);
const say = (record: object) => process.stdout.write(`FUZZ\t${JSON.stringify(record)}\n`);
let current: string | null = null;
const crash = (e: unknown) => {
  say({ crash: current, message: (e as Error)?.stack ?? String(e) });
  process.exit(70);
};
process.on("uncaughtException", crash);
process.on("unhandledRejection", crash);

const cases = JSON.parse(readFileSync(casesFile!, "utf8")) as FuzzCase[];
const sandbox = { dir: sandboxDir!, shared: join(sandboxDir!, "shared"), template: join(sandboxDir!, "template") };
for (const c of cases) {
  current = c.id;
  say({ start: c.id });
  say({ done: await runCase(c, sandbox) });
}
current = null;
say({ finished: true });
process.exit(0);
