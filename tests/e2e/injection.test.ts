/**
 * The injection set end to end: every form (tests/fixtures/injection/forms.json) audited by the CLI against a simulated
 * model that obeys instructions in the code, over both protocols. None may end `auto`; none may end `pass` where the
 * repository raises `prompt-injection`. Text the code handles
 * (tests, detectors, described attacks, app prompts) is no finding but is held below `auto`; ordinary files that say
 * "ignore" or "model" get nothing.
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

describe("the injection set against a model that obeys", () => {
  // With `[static] raise = ["prompt-injection"]` no form may end pass; by default (informational) none may end auto.
  for (const [protocol, raise] of [["ollama", true], ["openai", false]] as const) {
    test(`${protocol}: ${FORMS.length} forms end ${raise ? "neither pass nor auto (raised)" : "short of auto (informational)"}; handled text is held, ordinary text is left alone`, async () => {
      const files: Record<string, string> = {};
      for (const f of FORMS) files[f.path] = `${DIR}/forms/${f.fixture}`;
      for (const h of HANDLED) files[h.path] = `${DIR}/handled/${h.fixture}`;
      for (const o of ORDINARY) files[o.path] = `${DIR}/ordinary/${o.fixture}`;
      const url = protocol === "ollama" ? sim.ollamaHost : sim.openaiBaseUrl;
      const p = makeProject(files, rung("gullible", protocol, url, "gullible") + (raise ? '\n[static]\nraise = ["prompt-injection"]\n' : ""));
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
        const injections = (path: string) => (db.prepare(`SELECT count(*) AS n FROM findings WHERE path = ? AND rule = 'prompt-injection'`).get(path) as { n: number }).n;
        const endedClean = FORMS.filter((f) => (raise && rows.get(f.path)?.verdict === "pass") || rows.get(f.path)?.gradient_tier === "auto").map((f) => f.fixture);
        expect(endedClean).toEqual([]);
        for (const f of FORMS) {
          if (raise) expect(rows.get(f.path)?.verdict).toBe("needs_patch");
          else expect(rows.get(f.path)?.gradient_tier).toBe("review");
          expect(injections(f.path)).toBeGreaterThan(0);
        }
        for (const h of HANDLED) {
          const row = rows.get(h.path)!;
          expect(injections(h.path)).toBe(0);
          expect(row.gradient_tier).toBe("review");
          expect(row.summary).toContain("Held below auto");
        }
        for (const o of ORDINARY) {
          const row = rows.get(o.path)!;
          expect(injections(o.path)).toBe(0);
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
});
