/**
 * `scrum kb export` / `kb import`: the whole history copied between knowledge bases and engines, nothing lost. The
 * source is the report tests' KB (a run, dismissals, crafted and aborted iterations); every report of every iteration,
 * the history, the dismissals and the notes read the same from the copy, and a copy taken through PostgreSQL and back
 * is the same file row for row. A copy into a KB with history, over an existing file, or from nowhere is refused.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { openEngine } from "../../kb/engine";
import { main } from "../../pipeline/cli/main";
import { DEMO_REPO } from "../e2e/demo-expected";
import { buildReportKb, type ReportKb } from "../report/report-kb";
import { postgresKb } from "./postgres-server";

let fx: ReportKb;
beforeAll(async () => {
  fx = await buildReportKb();
});
afterAll(() => fx.cleanup());

async function scrum(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(argv, {}, { out: (t) => void (out += `${t}\n`), err: (t) => void (err += t), errIsTty: false }, DEMO_REPO, new AbortController().signal);
  return { code, out, err };
}

const TABLES = ["iterations", "file_reviews", "findings", "attempts", "metrics", "state", "shard_cache", "work_queue", "dismissals", "notes", "bench_runs", "server_traits", "meta", "disk_stats"];

/** Every row of every table (PostgreSQL's `rowid` column left out: SQLite keeps it implicitly). */
function dump(location: string): Record<string, unknown[]> {
  const db = openEngine(location);
  try {
    return Object.fromEntries(
      TABLES.map((t) => [t, (db.query(`SELECT * FROM ${t} ORDER BY 1, 2`).all() as Record<string, unknown>[]).map(({ rowid: _, ...row }) => row)]),
    );
  } finally {
    db.close();
  }
}

/** What a user reads from a KB: the history, every iteration's JSON report, the dismissals, the notes. */
async function readings(kb: string): Promise<unknown> {
  const history = JSON.parse((await scrum("history", "--json", "--kb", kb)).out) as { id: number }[];
  const reports = [];
  for (const it of history) {
    const report = JSON.parse((await scrum("report", String(it.id), "--format", "json", "--kb", kb)).out) as Record<string, unknown>;
    delete report.kb;
    reports.push(report);
  }
  const dismissals = JSON.parse((await scrum("dismiss", "--list", "--json", "--kb", kb)).out) as unknown;
  return { history, reports, dismissals, notes: (await scrum("note", "list", "--kb", kb)).out };
}

describe("scrum kb export / import", () => {
  test("an export reads the same as its source: history, every report, dismissals, notes; every table's row count", async () => {
    const copy = join(fx.dir, "export.db");
    const r = await scrum("kb", "export", copy, "--kb", fx.kbFile, "--json");
    expect(r.code).toBe(0);
    const said = JSON.parse(r.out) as { iterations: number; rows: number; tables: Record<string, number> };
    const source = dump(fx.kbFile);
    expect(said.iterations).toBe(source.iterations!.length);
    const copied = dump(copy);
    for (const t of TABLES) expect([t, copied[t]!.length]).toEqual([t, source[t]!.length]);
    expect(source.dismissals!.length).toBeGreaterThan(0);
    expect(await readings(copy)).toEqual(await readings(fx.kbFile));
  });

  test.skipIf(postgresKb("probe") === null)("through PostgreSQL and back: the same rows, table by table", async () => {
    const first = join(fx.dir, "first.db");
    const back = join(fx.dir, "back.db");
    const pg = postgresKb("transfer")!;
    expect((await scrum("kb", "export", first, "--kb", fx.kbFile)).code).toBe(0);
    const imported = await scrum("kb", "import", first, "--kb", pg);
    expect(imported.code).toBe(0);
    expect(imported.out).toMatch(/^imported \d+ iterations \(\d+ rows\) from .*first\.db to postgres:\/\//);
    expect((await scrum("kb", "export", back, "--kb", pg)).code).toBe(0);
    expect(dump(back)).toEqual(dump(first));
    expect(await readings(pg)).toEqual(await readings(first));
  });

  test("refused, nothing written: over an existing file, into a KB with history, from nowhere", async () => {
    const existing = join(fx.dir, "existing.db");
    expect((await scrum("kb", "export", existing, "--kb", fx.kbFile)).code).toBe(0);
    const before = readFileSync(existing);
    const over = await scrum("kb", "export", existing, "--kb", fx.kbFile);
    expect(over.code).toBe(2);
    expect(over.err).toMatch(/exists; kb export writes a new knowledge base/);
    expect(readFileSync(existing)).toEqual(before);
    const into = await scrum("kb", "import", fx.kbFile, "--kb", existing);
    expect(into.code).toBe(2);
    expect(into.err).toMatch(/already has history \(\d+ iterations rows\); copy into a new, empty knowledge base/);
    const missing = await scrum("kb", "import", join(fx.dir, "nothing.db"), "--kb", join(fx.dir, "new.db"));
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/no knowledge base at .*nothing\.db/);
    expect(existsSync(join(fx.dir, "nothing.db"))).toBe(false);
  });
});
