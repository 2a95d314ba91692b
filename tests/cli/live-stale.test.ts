/**
 * Staleness is live: a file edited after its review is stale in status, flagged --include stale, show and the
 * dashboard at once, with no run in between. Spawns bin/scrum.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { spawnedKb } from "../kb/postgres-server";

const REPO = resolve(import.meta.dir, "../..");
let repo: string;
/** "" (scrum finds .scrum/scrum.db), or the PostgreSQL KB under SCRUM_TEST_KB_ENGINE=postgres. */
let kb = "";

function scrum(...args: string[]) {
  const r = Bun.spawnSync([join(REPO, "bin/scrum"), ...args], { cwd: repo, stdout: "pipe", stderr: "pipe", env: { ...process.env, SCRUM_KB: kb, SCRUM_CONFIG: "" } });
  return { code: r.exitCode, out: r.stdout.toString(), err: r.stderr.toString() };
}

beforeAll(() => {
  kb = spawnedKb();
  repo = mkdtempSync(join(tmpdir(), "scrum-stale-"));
  mkdirSync(join(repo, "src"));
  writeFileSync(join(repo, "src/a.ts"), "export const a = 1;\n");
  writeFileSync(join(repo, "src/b.ts"), "export const b = 2;\n");
  Bun.spawnSync(["git", "init", "-q"], { cwd: repo });
  expect(scrum("run", "src", "--offline").code).toBe(0);
  // Edited after the review; no run since.
  appendFileSync(join(repo, "src/a.ts"), "export const c = 3;\n");
});
afterAll(() => rmSync(repo, { recursive: true, force: true }));

test("status --json: the edited file is stale, the other is not", () => {
  const r = scrum("status", "--json");
  expect(r.code, r.err).toBe(0);
  const rows = JSON.parse(r.out) as Array<{ path: string; stale: boolean }>;
  expect(rows.map((x) => [x.path, x.stale])).toEqual([["src/a.ts", true], ["src/b.ts", false]]);
});

test("flagged --include stale lists the edited file; without it, nothing (both passed)", () => {
  expect(scrum("flagged", "--format", "paths").out.trim()).toBe("");
  expect(scrum("flagged", "--include", "stale", "--format", "paths").out.trim()).toBe("src/a.ts");
});

test("show says the file changed since its review", () => {
  const r = scrum("show", "src/a.ts");
  expect(r.code, r.err).toBe(0);
  expect(r.out).toContain("STALE: the file changed since this review");
  expect(scrum("show", "src/b.ts").out).not.toContain("STALE");
});

test("the dashboard lists the stale file", () => {
  const out = join(repo, "dash.html");
  expect(scrum("dashboard", "--out", out).code).toBe(0);
  const html = readFileSync(out, "utf8");
  const flagged = html.slice(html.indexOf('data-table="flagged"'), html.indexOf("</table>", html.indexOf('data-table="flagged"')));
  expect(flagged).toContain("src/a.ts");
  expect(flagged).toContain("stale");
  expect(flagged).not.toContain("src/b.ts");
});

test("the state report counts the edited file stale, as status does", () => {
  const r = scrum("report", "--scope", "state", "--format", "json");
  expect(r.code, r.err).toBe(0);
  expect(JSON.parse(r.out).metrics.state_stale).toBe(1);
});

test("reverting the edit makes it fresh again (the hash decides, not the mtime)", () => {
  writeFileSync(join(repo, "src/a.ts"), "export const a = 1;\n");
  const rows = JSON.parse(scrum("status", "--json").out) as Array<{ path: string; stale: boolean }>;
  expect(rows.find((x) => x.path === "src/a.ts")!.stale).toBe(false);
});
