/**
 * One truth for dismissals (issue 18): a finding dismissed after it was stored is out of every output at once — the
 * state and iteration reports in every format, `show`, `status`, `flagged`, the dashboard — and a fingerprint prefix of
 * 8+ hex digits names it when unique. Runs bin/scrum as a process over a copy of the demo sources (static rung).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openEngine } from "../../kb/engine";
import { Kb } from "../../kb/kb";
import { testKb } from "../kb/postgres-server";
import { DEMO_SOURCE } from "./demo-expected";
import { folderKb, spawnScrum } from "./harness";

const REASON = "intended: the empty catch is best-effort warm-up";
let dir: string;
let target: { fingerprint: string; line_start: number; title: string };

const scrum = (...argv: string[]) => spawnScrum(dir, argv);
async function ok(...argv: string[]): Promise<string> {
  const r = await scrum(...argv);
  if (r.code !== 0) throw new Error(`scrum ${argv.join(" ")} exited ${r.code}: ${r.err}`);
  return r.out;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "scrum-dismiss-"));
  cpSync(join(DEMO_SOURCE, "src"), join(dir, "src"), { recursive: true });
  // Static rules are informational unless raised: raise the empty catch so it makes a file needs_patch, as a team
  // that wants it reviewed would.
  mkdirSync(join(dir, ".scrum"));
  folderKb(dir);
  writeFileSync(join(dir, ".scrum/routing.toml"), `[[ladder]]\nname = "static"\nprovider = "static"\n\n[static]\nraise = ["empty-catch"]\n`);
  await ok("run", "src", "--offline", "--quiet");
  const shown = JSON.parse(await ok("show", "src/ingest.ts", "--json")) as { findings: { category: string; severity: string; fingerprint: string; line_start: number; title: string }[] };
  // ingest.ts has two problem findings: dismiss the medium one; the low one keeps the file needs_patch.
  target = shown.findings.find((f) => f.category !== "verified_components" && f.severity === "medium")!;
  expect(target).toBeDefined();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("fingerprint prefixes", () => {
  test("fewer than 8 hex digits is refused with exit 2, saying how many are needed", async () => {
    const r = await scrum("dismiss", target.fingerprint.slice(0, 7), "--reason", REASON);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/too short: give at least 8 hex digits/);
  });

  test("a prefix two fingerprints share is refused with exit 2, listing both", async () => {
    // Two findings whose fingerprints share their first 8 digits, written as a run writes them (into an iteration
    // still running, then finished), in a KB of their own so the other tests see the sweep as it was.
    const kb = testKb(join(dir, "twins.db"));
    new Kb(kb).close(); // migrated
    const db = openEngine(kb);
    const iteration = Number(db.query(`INSERT INTO iterations (status, started_at, config_json) VALUES ('running', 'x', '{}')`).run().lastInsertRowid);
    const twin = (fp: string) =>
      db
        .query(`INSERT INTO findings (iteration_id, path, category, severity, confidence, title, evidence, line_start, line_end, fingerprint, evidence_verified) VALUES (?, 'src/ingest.ts', 'risk_points', 'low', 80, 'twin', 'x', 1, 1, ?, 1)`)
        .run(iteration, fp);
    twin("abcdef0100000001");
    twin("abcdef0100000002");
    db.query(`UPDATE iterations SET status = 'done', finished_at = 'x' WHERE id = ?`).run(iteration);
    db.close();
    const r = await scrum("dismiss", "abcdef01", "--reason", REASON, "--kb", kb);
    expect(r.code).toBe(2);
    expect(r.err).toContain("abcdef0100000001");
    expect(r.err).toContain("abcdef0100000002");
    expect(r.err).toMatch(/give more digits/);
  });

  test("the README's 8-digit form names the finding when it is unique", async () => {
    const r = await scrum("dismiss", target.fingerprint.slice(0, 8).toUpperCase(), "--reason", REASON, "--json");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ fingerprint: target.fingerprint, path: "src/ingest.ts" });
  });
});

describe("a dismissal made after the review holds in every output at once", () => {
  const report = async (format: string, ...scope: string[]) => ok("report", ...scope, "--format", format);

  test("SARIF (state and iteration): the result stays, with an accepted external suppression and the reason", async () => {
    for (const scope of [[], ["latest"]]) {
      const sarif = JSON.parse(await report("sarif", ...scope));
      const results = sarif.runs[0].results as { partialFingerprints: Record<string, string>; suppressions?: unknown[] }[];
      const hit = results.filter((r) => Object.values(r.partialFingerprints).includes(target.fingerprint));
      expect(hit).toHaveLength(1);
      expect(hit[0]!.suppressions).toEqual([{ kind: "external", status: "accepted", justification: REASON }]);
      // The other finding of the file is still raised, unsuppressed.
      expect(results.some((r) => r.suppressions === undefined)).toBe(true);
    }
  });

  test("rdjsonl and codeclimate leave it out; the file's other finding stays", async () => {
    for (const scope of [[], ["latest"]]) {
      const rd = await report("rdjsonl", ...scope);
      expect(rd).not.toContain(target.title);
      expect(rd).toContain("src/ingest.ts");
      const cc = await report("codeclimate", ...scope);
      expect(cc).not.toContain(target.title);
      expect(cc).toContain("src/ingest.ts");
    }
  });

  test("markdown leaves it out of the findings and names it as dismissed; json carries the dismissal", async () => {
    for (const scope of [[], ["latest"]]) {
      const md = await report("md", ...scope);
      expect(md).not.toContain(target.title);
      expect(md).toContain(`dismissed (left out below): ${target.fingerprint}`);
      const json = JSON.parse(await report("json", ...scope));
      const f = json.files.find((x: { path: string }) => x.path === "src/ingest.ts").findings.find((x: { fingerprint: string }) => x.fingerprint === target.fingerprint);
      expect(f.dismissal).toMatchObject({ reason: REASON, undone_at: null });
    }
  });

  test("show marks it dismissed; status and flagged count one finding less", async () => {
    const shown = JSON.parse(await ok("show", "src/ingest.ts", "--json"));
    expect(shown.findings.find((f: { fingerprint: string }) => f.fingerprint === target.fingerprint).dismissal_id).toBe(1);
    expect(await ok("show", "src/ingest.ts")).toMatch(/DISMISSED #1/);
    const status = JSON.parse(await ok("status", "src/ingest.ts", "--json"));
    expect(status[0].findings_count).toBe(1);
    expect(shown.review.findings_count).toBe(1);
  });

  test("the dashboard lists the file's standing finding, not the dismissed one", async () => {
    await ok("dashboard", "--out", join(dir, "d.html"));
    const html = readFileSync(join(dir, "d.html"), "utf8");
    expect(html).toContain("src/ingest.ts");
    expect(html).not.toContain(target.title);
  });

  test("the next run's event stream records it as dismissed, and the run counts it dismissed", async () => {
    const events = join(dir, "events.jsonl");
    const run = JSON.parse(await ok("run", "src/ingest.ts", "--offline", "--events", events, "--json"));
    expect(run.metrics.findings_dismissed).toBe(1);
    const file = readFileSync(events, "utf8").trim().split("\n").map((l) => JSON.parse(l)).find((e) => e.type === "file_reviewed");
    expect(file.review.findings_count).toBe(1);
    expect(file.findings.find((f: { fingerprint: string }) => f.fingerprint === target.fingerprint).dismissal_id).toBe(1);
  });
});
