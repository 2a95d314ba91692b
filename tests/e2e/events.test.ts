/**
 * The event stream and repository rules over a real run: the simulated model server, the real CLI, a temp KB.
 * Events are checked against the KB's own columns (PRAGMA table_info), so a column the stream drops fails here.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Database } from "bun:sqlite";
import { startSimServer, type SimServer } from "../../scripts/sim-server";
import { columnsOf, makeProject, rung } from "./harness";

let sim: SimServer;
beforeAll(async () => {
  sim = await startSimServer({ behaviours: { "cheap-thin": "thin", "big-good": "good", "rules-good": "good" } });
});
afterAll(() => sim.stop());

const FILES = { "src/ledger.rs": "tests/fixtures/sim/ledger.rs", "src/loader.ts": "tests/fixtures/sim/loader.ts" };

function ladder(): string {
  return [rung("cheap", "ollama", sim.ollamaHost, "cheap-thin"), rung("big", "openai", sim.openaiBaseUrl, "big-good")].join("\n");
}

function columns(db: Database, table: string): string[] {
  // PostgreSQL keeps the cache's insertion order as a column; SQLite's rowid is implicit.
  return columnsOf(db, table).filter((c) => !(table === "shard_cache" && c === "rowid"));
}

type Line = Record<string, unknown> & { type: string; seq: number; iteration_id: number | null };

function readLines(file: string): Line[] {
  return readFileSync(file, "utf8").trimEnd().split("\n").map((l) => JSON.parse(l) as Line);
}

describe("scrum run --events FILE.jsonl", () => {
  test("every event of a climbing run is a line; file, attempt and iteration events carry every KB column", async () => {
    const p = makeProject(FILES, ladder());
    try {
      const events = join(p.dir, "run.jsonl");
      const r = await p.scrum("run", "src", "--label", "ev", "--events", events, "--json");
      expect(r.code).toBe(0);
      const lines = readLines(events);
      const db = p.db();
      const types = lines.map((l) => l.type);
      expect(types[0]).toBe("iteration_started");
      expect(types.at(-1)).toBe("iteration_finished");
      expect(lines.map((l) => l.seq)).toEqual(lines.map((_, i) => i + 1));

      const started = lines[0]!;
      expect(Object.keys(started.iteration as object).sort()).toEqual(valueKeys(db, "iterations"));
      expect(started).toMatchObject({ files: 2, rungs: ["cheap", "big"] });

      const files = lines.filter((l) => l.type === "file_reviewed");
      expect(files.map((f) => f.path).sort()).toEqual(["src/ledger.rs", "src/loader.ts"]);
      for (const f of files) {
        const review = f.review as Record<string, unknown>;
        // The row as stored, every column, equal value for value.
        expect(Object.keys(review).sort()).toEqual(columns(db, "file_reviews"));
        expect(review).toEqual(asValue(db.prepare(`SELECT * FROM file_reviews WHERE path = ?`).get(f.path as string) as Record<string, unknown>));
        expect(review).toMatchObject({ escalations: 1, attempts_made: 2, thin_rejections: 1, accepted_model: "big-good" });
        const findings = f.findings as Record<string, unknown>[];
        const rows = db.prepare(`SELECT * FROM findings WHERE path = ? ORDER BY line_start`).all(f.path as string) as Record<string, unknown>[];
        // A finding is read back as the domain's stored finding: every column but the KB's own id and iteration.
        expect(findings).toEqual(rows.map(({ id: _id, iteration_id: _it, ...r }) => asValue(r)));
        const stored = f.attempts as Record<string, unknown>[];
        expect(stored).toHaveLength(2);
        for (const a of stored) expect(Object.keys(a).sort()).toEqual(columns(db, "attempts"));
      }

      // Live attempts: every column but the KB's own id and write time, with the values the KB then stored.
      const attempts = lines.filter((l) => l.type === "attempt");
      expect(attempts).toHaveLength(4);
      const live = columns(db, "attempts").filter((c) => c !== "id" && c !== "created_at");
      for (const a of attempts) {
        const row = a.attempt as Record<string, unknown>;
        expect(Object.keys(row).sort()).toEqual(live);
        const kbRow = db.prepare(`SELECT * FROM attempts WHERE path = ? AND rung = ?`).get(a.path as string, row.rung as string) as Record<string, unknown>;
        for (const c of live) expect(row[c]).toEqual(kbRow[c]);
      }
      expect(attempts.map((a) => (a.attempt as { outcome: string }).outcome).sort()).toEqual(["accepted", "accepted", "thin", "thin"]);

      // One escalation per shard climbed, cheap → big, with the reason it climbed; as many as the KB counts.
      const escalations = lines.filter((l) => l.type === "escalation");
      expect(escalations).toHaveLength(2);
      for (const e of escalations) expect(e).toMatchObject({ from_rung: "cheap", to_rung: "big", shard_index: 0, reason: expect.stringMatching(/^thin/) });
      const metrics = Object.fromEntries((db.prepare(`SELECT name, value FROM metrics`).all() as { name: string; value: number }[]).map((m) => [m.name, m.value]));
      expect(escalations.length).toBe(metrics.escalations!);

      const finished = lines.at(-1)!;
      expect(finished.status).toBe("done");
      expect(Object.keys(finished.iteration as object).sort()).toEqual(valueKeys(db, "iterations"));
      expect(finished.metrics).toEqual(metrics);
      expect(lines.every((l) => l.type === "warning" || l.iteration_id === started.iteration_id)).toBe(true);
      db.close();
    } finally {
      p.cleanup();
    }
  });

  test("a spent [budget] is an event, once", async () => {
    const p = makeProject(FILES, `${ladder()}\n[budget]\nmax_tokens = 1\n`);
    try {
      const events = join(p.dir, "budget.jsonl");
      await p.scrum("run", "src", "--events", events, "--concurrency", "1");
      const budget = readLines(events).filter((l) => l.type === "budget");
      expect(budget).toHaveLength(1);
      expect(budget[0]!.reason).toMatch(/max_tokens 1: the call's estimated \d+ tokens do not fit/);
    } finally {
      p.cleanup();
    }
  });

  test("a file that cannot be opened is a usage error naming it, before anything runs", async () => {
    const p = makeProject(FILES, ladder());
    try {
      const r = await p.scrum("run", "src", "--events", join(p.dir, "no/such/dir/run.jsonl"));
      expect(r.code).toBe(2);
      expect(r.err).toContain("--events");
      expect(r.err).toContain("no/such/dir/run.jsonl");
    } finally {
      p.cleanup();
    }
  });
});

describe("[observer] url", () => {
  test("the observer receives the same records as the file; the summary and the KB say none was dropped", async () => {
    const received: Line[] = [];
    const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: async (req) => (received.push((await req.json()) as Line), new Response("ok")) });
    const p = makeProject(FILES, `${ladder()}\n[observer]\nurl = "http://127.0.0.1:${server.port}/event"\n`);
    try {
      const events = join(p.dir, "run.jsonl");
      const r = await p.scrum("run", "src", "--events", events, "--json");
      expect(r.code).toBe(0);
      const summary = JSON.parse(r.out);
      const lines = readLines(events);
      expect(received).toEqual(lines);
      expect(summary.observer).toMatchObject({ delivered: lines.length, dropped: 0 });
      const db = p.db();
      const m = db.prepare(`SELECT name, value FROM metrics WHERE name LIKE 'observer_%' ORDER BY name`).all();
      db.close();
      expect(m).toEqual([{ name: "observer_delivered", value: lines.length }, { name: "observer_dropped", value: 0 }]);
    } finally {
      p.cleanup();
      server.stop(true);
    }
  });

  test("a dead observer fails nothing: the run is done, its drops are counted in the summary and the metrics", async () => {
    const dead = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("") });
    const port = dead.port;
    dead.stop(true);
    const p = makeProject(FILES, `${ladder()}\n[observer]\nurl = "http://127.0.0.1:${port}/event"\n`);
    try {
      const r = await p.scrum("run", "src");
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/observer http:\/\/127\.0\.0\.1:\d+\/event: 0 events delivered, (\d+) dropped \(\1 failed/);
      const db = p.db();
      const verdicts = db.prepare(`SELECT verdict FROM file_reviews`).all() as { verdict: string }[];
      const dropped = db.prepare(`SELECT value FROM metrics WHERE name = 'observer_dropped'`).get() as { value: number };
      db.close();
      expect(verdicts).toHaveLength(2);
      expect(dropped.value).toBeGreaterThan(5);
    } finally {
      p.cleanup();
    }
  });
});

describe("[[instructions]]: repository rules", () => {
  function rulesProject(): ReturnType<typeof makeProject> {
    const routing = [
      rung("rules", "openai", sim.openaiBaseUrl, "rules-good"),
      `[[instructions]]`,
      `paths = ["src/**/*.rs"]`,
      `file = "rules/rust.md"`,
      "",
    ].join("\n");
    const p = makeProject(FILES, routing);
    mkdirSync(join(p.dir, ".scrum/rules"), { recursive: true });
    writeFileSync(join(p.dir, ".scrum/rules/rust.md"), "Every ledger write must be journalled (RULE-LEDGER-7).\n");
    return p;
  }

  test("the rules reach the requests of matching files only, and `scrum show` names them", async () => {
    const p = rulesProject();
    try {
      const before = sim.calls.length;
      expect((await p.scrum("run", "src")).code).toBe(0);
      const calls = sim.calls.slice(before).filter((c) => c.model === "rules-good");
      const rust = calls.filter((c) => c.user.includes("File: src/ledger.rs"));
      const ts = calls.filter((c) => c.user.includes("File: src/loader.ts"));
      expect(rust.length).toBeGreaterThan(0);
      expect(ts.length).toBeGreaterThan(0);
      for (const c of rust) expect(c.system).toContain("RULE-LEDGER-7");
      for (const c of ts) expect(c.system).not.toContain("RULE-LEDGER-7");
      // After the system prompt, not in place of it.
      expect(rust[0]!.system.indexOf("RULE-LEDGER-7")).toBeGreaterThan(rust[0]!.system.indexOf("Repository rules"));

      const shown = await p.scrum("show", "src/ledger.rs");
      expect(shown.out).toMatch(/instructions: \.scrum\/rules\/rust\.md \(sha [0-9a-f]{8}, for src\/\*\*\/\*\.rs\)/);
      const other = await p.scrum("show", "src/loader.ts");
      expect(other.out).not.toContain("instructions:");
      const json = JSON.parse((await p.scrum("show", "src/ledger.rs", "--json")).out);
      expect(JSON.parse(json.review.instructions)).toEqual([{ file: ".scrum/rules/rust.md", sha: expect.stringMatching(/^[0-9a-f]{64}$/), paths: ["src/**/*.rs"] }]);
    } finally {
      p.cleanup();
    }
  });

  test("changing the rules file is a changed prompt: its files miss the shard cache, the others hit it", async () => {
    const p = rulesProject();
    try {
      expect((await p.scrum("run", "src")).code).toBe(0);
      expect((await p.scrum("run", "src")).code).toBe(0);
      const outcomes = (iteration: number) => {
        const db = p.db();
        const rows = db.prepare(`SELECT path, outcome FROM attempts WHERE iteration_id = ? ORDER BY path`).all(iteration) as { path: string; outcome: string }[];
        db.close();
        return Object.fromEntries(rows.map((r) => [r.path, r.outcome]));
      };
      expect(outcomes(2)).toEqual({ "src/ledger.rs": "cached", "src/loader.ts": "cached" });
      writeFileSync(join(p.dir, ".scrum/rules/rust.md"), "Every ledger write must be journalled and fsynced (RULE-LEDGER-8).\n");
      const before = sim.calls.length;
      expect((await p.scrum("run", "src")).code).toBe(0);
      expect(outcomes(3)).toEqual({ "src/ledger.rs": "accepted", "src/loader.ts": "cached" });
      expect(sim.calls.slice(before).every((c) => c.system.includes("RULE-LEDGER-8"))).toBe(true);
    } finally {
      p.cleanup();
    }
  });

  test("a rules file that does not exist is a config error naming the file, line and key", async () => {
    const p = makeProject(FILES, [rung("rules", "openai", sim.openaiBaseUrl, "rules-good"), `[[instructions]]`, `paths = ["src/**"]`, `file = "rules/missing.md"`, ""].join("\n"));
    try {
      const r = await p.scrum("run", "src");
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/routing\.toml:\d+.*\[\[instructions\]\] file = "rules\/missing\.md" does not exist/);
    } finally {
      p.cleanup();
    }
  });
});

test("--estimate counts a file under unchanged rules as cached, and as not cached once its rules change", async () => {
  const routing = [rung("rules", "openai", sim.openaiBaseUrl, "rules-good"), `[[instructions]]`, `paths = ["src/**/*.rs"]`, `file = "rules/rust.md"`, ""].join("\n");
  const p = makeProject(FILES, routing);
  mkdirSync(join(p.dir, ".scrum/rules"), { recursive: true });
  writeFileSync(join(p.dir, ".scrum/rules/rust.md"), "Every ledger write must be journalled (RULE-LEDGER-7).\n");
  try {
    expect((await p.scrum("run", "src")).code).toBe(0);
    const cached = async () => JSON.parse((await p.scrum("run", "src", "--estimate", "--json")).out).rungs[0].cached as number;
    expect(await cached()).toBe(2);
    writeFileSync(join(p.dir, ".scrum/rules/rust.md"), "Every ledger write must be fsynced (RULE-LEDGER-8).\n");
    expect(await cached()).toBe(1);
  } finally {
    p.cleanup();
  }
});

/** A row as the KB's readers get it (domain/records.ts): 0/1 flags as booleans, the targets' JSON as a list. */
function asValue(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...row };
  for (const flag of ["tree_split_fired", "coverage_complete", "evidence_verified"]) if (typeof out[flag] === "number") out[flag] = out[flag] === 1;
  if ("targets_json" in out) {
    out.targets = JSON.parse(out.targets_json as string);
    delete out.targets_json;
  }
  return out;
}

/** A table's columns as the keys of its domain value. */
function valueKeys(db: Parameters<typeof columns>[0], table: string): string[] {
  return columns(db, table).map((c) => (c === "targets_json" ? "targets" : c)).sort();
}
