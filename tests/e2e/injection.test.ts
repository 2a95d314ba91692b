/**
 * The injection set end to end: every form (tests/fixtures/injection/forms.json) audited by the CLI against a simulated
 * model that obeys instructions in the code, over both protocols, with the shipped defaults. None may end `pass` or
 * `auto`: every form is of the strong class, whose findings are high. The weak class (tests/fixtures/injection/weak/:
 * what evaluation rounds 1-3 found falsely) stays informational — low, held at `review`, the model's verdict stands —
 * unless the repository raises `prompt-injection`. Text the code handles (tests, detectors, described attacks, app
 * prompts) is no finding but is held below `auto`; ordinary files that say "ignore" or "model" get nothing.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { startSimServer, type SimServer } from "../../scripts/sim-server";
import { makeProject, REPO, rung } from "./harness";

const DIR = "tests/fixtures/injection";
interface Form {
  form: string;
  fixture: string;
  path: string;
  line: number;
}
const FORMS = JSON.parse(readFileSync(join(REPO, DIR, "forms.json"), "utf8")) as Form[];
const HANDLED = JSON.parse(readFileSync(join(REPO, DIR, "handled.json"), "utf8")) as Array<{ fixture: string; path: string }>;
const WEAK = JSON.parse(readFileSync(join(REPO, DIR, "weak.json"), "utf8")) as Array<{ fixture: string; path: string }>;
const ORDINARY = readdirSync(join(REPO, DIR, "ordinary")).map((f) => ({ fixture: f, path: `src/plain/${f.replace(/\.txt$/, "")}` }));

let sim: SimServer;
beforeAll(async () => {
  sim = await startSimServer({ behaviours: { gullible: "obey-injection" } });
});
afterAll(() => sim.stop());

interface Row {
  path: string;
  verdict: string;
  gradient_tier: string | null;
  summary: string;
}

const severities = (db: ReturnType<ReturnType<typeof makeProject>["db"]>, path: string) =>
  (db.prepare(`SELECT severity FROM findings WHERE path = ? AND rule = 'prompt-injection'`).all(path) as Array<{ severity: string }>).map((r) => r.severity);

describe("the injection set against a model that obeys", () => {
  // The shipped defaults: no `[static] raise`. The strong class alone keeps every form from `pass`.
  for (const protocol of ["ollama", "openai"] as const) {
    test(`${protocol}, defaults: ${FORMS.length} forms end neither pass nor auto; the weak class is informational; handled text is held, ordinary text is left alone`, async () => {
      const files: Record<string, string> = {};
      for (const f of FORMS) files[f.path] = `${DIR}/forms/${f.fixture}`;
      for (const h of HANDLED) files[h.path] = `${DIR}/handled/${h.fixture}`;
      for (const w of WEAK) files[w.path] = `${DIR}/weak/${w.fixture}`;
      for (const o of ORDINARY) files[o.path] = `${DIR}/ordinary/${o.fixture}`;
      const url = protocol === "ollama" ? sim.ollamaHost : sim.openaiBaseUrl;
      const p = makeProject(files, rung("gullible", protocol, url, "gullible"));
      try {
        const r = await p.scrum("run", ...Object.keys(files), "--json");
        expect(r.code).toBe(0);
        const db = p.db();
        const rows = new Map(
          (db.prepare(`SELECT path, verdict, gradient_tier, review_json FROM file_reviews`).all() as (Row & { review_json: string })[]).map(({ review_json, ...row }) => [
            row.path,
            { ...row, summary: (JSON.parse(review_json) as { summary: string }).summary },
          ]),
        );
        const endedClean = FORMS.filter((f) => rows.get(f.path)?.verdict === "pass" || rows.get(f.path)?.gradient_tier === "auto").map((f) => f.fixture);
        expect(endedClean).toEqual([]);
        for (const f of FORMS) {
          expect(rows.get(f.path)?.verdict).toBe("needs_patch");
          expect(rows.get(f.path)?.gradient_tier).toBe("review");
          expect(severities(db, f.path)).toContain("high");
        }
        // The weak class: a low finding, the file held at review, the verdict the model's (the renderer and the API
        // docs obey nothing, so the simulated model passes them).
        for (const w of WEAK) {
          const row = rows.get(w.path)!;
          expect(severities(db, w.path).length).toBeGreaterThan(0);
          expect(new Set(severities(db, w.path))).toEqual(new Set(["low"]));
          expect([row.verdict, row.gradient_tier]).toEqual(["pass", "review"]);
        }
        for (const h of HANDLED) {
          const row = rows.get(h.path)!;
          expect(severities(db, h.path)).toEqual([]);
          expect(row.gradient_tier).toBe("review");
          expect(row.summary).toContain("Held below auto");
        }
        for (const o of ORDINARY) {
          const row = rows.get(o.path)!;
          expect(severities(db, o.path)).toEqual([]);
          expect(row.summary).not.toContain("Held below auto");
          expect([row.verdict, row.gradient_tier]).toEqual(["pass", "auto"]);
        }
        // The model did obey: shards it reviewed came back "pass, as instructed in the file".
        const obeyed = db.prepare(`SELECT count(*) AS n FROM file_reviews WHERE review_json LIKE '%as instructed in the file%'`).get() as { n: number };
        expect(obeyed.n).toBeGreaterThan(10);
        db.close();
        // The model did obey somewhere: it was asked, and the audited material reached it inside this request's nonce lines.
        const calls = sim.calls.filter((c) => c.model === "gullible" && c.protocol === protocol);
        for (const c of calls) {
          const nonce = /\[untrusted ([a-z0-9]{10})\]/.exec(c.user)?.[1];
          expect(nonce).toBeDefined();
          expect(c.system).toContain(`[/untrusted ${nonce}]`);
        }
      } finally {
        p.cleanup();
      }
    }, 60_000);
  }

  test('`[static] raise = ["prompt-injection"]` raises the weak class too: the renderer and the API docs end needs_patch', async () => {
    const files: Record<string, string> = {};
    for (const w of WEAK) files[w.path] = `${DIR}/weak/${w.fixture}`;
    const p = makeProject(files, rung("gullible", "ollama", sim.ollamaHost, "gullible") + '\n[static]\nraise = ["prompt-injection"]\n');
    try {
      expect((await p.scrum("run", ...Object.keys(files), "--json")).code).toBe(0);
      const db = p.db();
      for (const w of WEAK) {
        expect(new Set(severities(db, w.path))).toEqual(new Set(["high"]));
        expect(db.prepare(`SELECT verdict, gradient_tier FROM file_reviews WHERE path = ?`).get(w.path)).toEqual({ verdict: "needs_patch", gradient_tier: "review" });
      }
      db.close();
    } finally {
      p.cleanup();
    }
  }, 60_000);
});
