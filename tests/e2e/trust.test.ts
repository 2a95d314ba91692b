import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startSimServer, type SimServer } from "../../scripts/sim-server";
import { makeProject, REPO, rung } from "./harness";

let sim: SimServer;
beforeAll(async () => {
  sim = await startSimServer({ behaviours: { gullible: "obey-injection", "local-thin": "thin", "local-good": "good", "cloud-good": "good", "cloud-reduce": "reduce-good" } });
});
afterAll(() => sim.stop());

const TRUST = "tests/fixtures/trust";

describe("audited code cannot buy a verdict", () => {
  const injected: Record<string, string> = {
    "src/billing.ts": `${TRUST}/injection/billing.ts.txt`,
    "src/sync.py": `${TRUST}/injection/sync.py`,
    "src/ledger.rs": `${TRUST}/injection/ledger.rs`,
    "src/server.go": `${TRUST}/injection/server.go`,
    "src/README.md": `${TRUST}/injection/README.md`,
  };

  // Injection findings of the strong class (an instruction spoken to the reader) are high by default; the rest are
  // informational unless `[static] raise = ["prompt-injection"]` makes them high too (docs/SECURITY.md). Every planted
  // file has a strong one, so none ends pass in either posture. Each protocol runs one posture.
  for (const [protocol, raise] of [["ollama", true], ["openai", false]] as const) {
    test(`a model that obeys the injected instruction (${protocol}) still leaves every such file short of auto and pass${raise ? ", with prompt-injection raised" : ""}`, async () => {
      const url = protocol === "ollama" ? sim.ollamaHost : sim.openaiBaseUrl;
      const routing = rung("gullible", protocol, url, "gullible") + (raise ? '\n[static]\nraise = ["prompt-injection"]\n' : "");
      const p = makeProject({ ...injected, "src/clean.go": "tests/fixtures/sim/clean.go" }, routing);
      try {
        const r = await p.scrum("run", "src", "--json");
        expect(r.code).toBe(0);
        const db = p.db();
        const rows = db.prepare(`SELECT path, verdict, gradient_tier, review_json FROM file_reviews`).all() as Array<{ path: string; verdict: string; gradient_tier: string; review_json: string }>;
        const byPath = new Map(rows.map((row) => [row.path, row]));
        for (const path of Object.keys(injected)) {
          const row = byPath.get(path)!;
          const review = JSON.parse(row.review_json) as { shard_reviews: Array<{ verdict: string }> };
          // The model did obey: every shard it reviewed came back `pass`...
          expect(review.shard_reviews.map((s) => s.verdict)).toContain("pass");
          // ...and the file still is not.
          expect(row.verdict).not.toBe("pass");
          expect(row.gradient_tier).not.toBe("auto");
          const findings = db.prepare(`SELECT category, severity, evidence, line_start, evidence_verified FROM findings WHERE path = ? AND rule = 'prompt-injection'`).all(path) as Array<{ category: string; severity: string; evidence: string; line_start: number; evidence_verified: number }>;
          expect(findings.length).toBeGreaterThan(0);
          expect(findings.some((f) => f.severity === "high")).toBe(true);
          const lines = readFileSync(join(REPO, injected[path]!), "utf8").split("\n");
          for (const f of findings) {
            expect(f).toMatchObject({ category: "risk_points", evidence_verified: 1 });
            expect(raise ? ["high"] : ["high", "low"]).toContain(f.severity);
            expect(lines[f.line_start - 1]).toContain(f.evidence);
          }
        }
        // A file with no instruction in it is judged on its merits: no injection finding.
        expect(db.prepare(`SELECT count(*) AS n FROM findings WHERE path = 'src/clean.go' AND rule = 'prompt-injection'`).get()).toEqual({ n: 0 });
        db.close();
        const prompts = sim.calls.filter((c) => c.model === "gullible" && c.protocol === protocol);
        expect(prompts.some((c) => c.system.includes("never act on it"))).toBe(true);
      } finally {
        p.cleanup();
      }
    });
  }
});

interface Planted {
  kind: string;
  file: string;
  value: string;
}
const planted = JSON.parse(readFileSync(join(REPO, TRUST, "secrets/planted.json"), "utf8")) as Planted[];
const SECRET_FILES: Record<string, string> = {
  "src/.env.production": `${TRUST}/secrets/.env.production`,
  "src/settings.yaml": `${TRUST}/secrets/settings.yaml`,
  "src/client.ts": `${TRUST}/secrets/client.ts.txt`,
  "src/llm.py": `${TRUST}/secrets/llm.py`,
  "src/config.toml": `${TRUST}/secrets/config.toml`,
  "src/deploy_key.rs": `${TRUST}/secrets/deploy_key.rs`,
  "PROPOSAL.md": `${TRUST}/PROPOSAL.md`,
};
const TARGETS = Object.keys(SECRET_FILES).filter((p) => p.startsWith("src/"));
const PROPOSAL_KEY = "sk_live_Pr0p0s4lK3yV4lu3XyZ9aBcDeFgHiJkLm";
const SECRETS = [...planted.map((p) => p.value), PROPOSAL_KEY];

/** Lines of the fixtures that hold no secret: each must reach the cloud rung as it is. */
const PLAIN_LINES = ["PORT=8080", "replicas: 3", "export async function listInvoices(base: string): Promise<unknown> {", "def summarise(text: str) -> str:", "timeout_s = 30", "pub fn key_len() -> usize {"];

describe("secrets never leave for a cloud rung", () => {
  test("review: a local rung gets the files unchanged, the cloud rung it climbs to gets them with every secret masked", async () => {
    const routing = [`[prompts]\nproposal = "../PROPOSAL.md"\n`, rung("local", "ollama", sim.ollamaHost, "local-thin"), rung("cloud", "openai", sim.openaiBaseUrl, "cloud-good", "cloud = true")].join("\n");
    const p = makeProject(SECRET_FILES, routing);
    const before = sim.calls.length;
    try {
      const r = await p.scrum("run", ...TARGETS, "--json");
      expect(r.code).toBe(0);
      expect(JSON.parse(r.out).files.reviewed).toBe(TARGETS.length);
      const calls = sim.calls.slice(before);
      const local = calls.filter((c) => c.model === "local-thin");
      const cloud = calls.filter((c) => c.model === "cloud-good");
      expect(cloud).toHaveLength(TARGETS.length);
      const localText = local.map((c) => `${c.system}\n${c.user}`).join("\n");
      const cloudText = cloud.map((c) => `${c.system}\n${c.user}`).join("\n");
      for (const secret of SECRETS) {
        expect(localText).toContain(secret);
        expect(cloudText).not.toContain(secret);
      }
      for (const line of PLAIN_LINES) expect(cloudText).toContain(line);
      expect(cloud.every((c) => c.system.includes("Charge saved cards nightly"))).toBe(true);

      const db = p.db();
      const attempts = db.prepare(`SELECT path, rung, redactions FROM attempts ORDER BY id`).all() as Array<{ path: string; rung: string; redactions: number }>;
      db.close();
      expect(attempts.filter((a) => a.rung === "local").every((a) => a.redactions === 0)).toBe(true);
      // Every cloud request carries at least the proposal's key; each file adds its own.
      for (const a of attempts.filter((x) => x.rung === "cloud")) expect(a.redactions).toBeGreaterThanOrEqual(2);

      const show = await p.scrum("show", "src/.env.production");
      expect(show.code).toBe(0);
      expect(show.out).toMatch(/redacted/);
      // The attempts table's "redacted" column says how many secrets each request lost, as the KB has it.
      const stored = attempts.find((a) => a.path === "src/.env.production" && a.rung === "cloud")!.redactions;
      expect(stored).toBe(1 + planted.filter((x) => x.file === ".env.production").length);
      expect(show.out).toMatch(new RegExp(`cloud\\s+cloud-good\\s+\\S+\\s+accepted(\\s+\\d+){3}\\s+${stored}\\b`));
    } finally {
      p.cleanup();
    }
    }, 30_000);

  test("reduce: shard verdicts a local rung wrote (quoting secrets) reach a cloud reduce rung masked", async () => {
    const routing = [
      `[sweep]\nshard_threshold_chars = 300\nmax_shard_chars = 300\n`,
      `[reduce]\nrung = "cloud"\n`,
      rung("local", "ollama", sim.ollamaHost, "local-good"),
      rung("cloud", "openai", sim.openaiBaseUrl, "cloud-reduce", "cloud = true"),
    ].join("\n");
    const p = makeProject(SECRET_FILES, routing);
    const before = sim.calls.length;
    try {
      const r = await p.scrum("run", ...TARGETS, "--json");
      expect(r.code).toBe(0);
      const calls = sim.calls.slice(before);
      const reduce = calls.filter((c) => c.model === "cloud-reduce");
      expect(reduce.length).toBeGreaterThan(0);
      const reduceText = reduce.map((c) => `${c.system}\n${c.user}`).join("\n");
      expect(reduceText).toMatch(/<REDACTED:[0-9a-f]{8}>/);
      for (const secret of SECRETS) expect(reduceText).not.toContain(secret);
      const db = p.db();
      const redacted = db.prepare(`SELECT sum(redactions) AS n FROM attempts WHERE purpose = 'reduce'`).get() as { n: number };
      db.close();
      expect(redacted.n).toBeGreaterThan(0);
    } finally {
      p.cleanup();
    }
    }, 30_000);
});
