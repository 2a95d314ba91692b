/**
 * [verify] end to end over both protocols: a noisy detector that flags real defects plus false ones in every shard, and
 * a verifier that confirms only real defects, leave exactly the real defects raising verdicts; refuted findings are
 * stored with their reason and suppressed in SARIF; a second sweep is answered from the cache; a budget stops
 * verification cleanly.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startSimServer, type SimServer } from "../../scripts/sim-server";
import { makeProject, rung } from "./harness";

let sim: SimServer;
beforeAll(async () => {
  sim = await startSimServer({
    behaviours: {
      // Every visible defect, plus three false findings per shard on average.
      detector: "noisy:1:3:7",
      verifier: "verify-real",
      "verifier-down": "error500",
      "verifier-bad-quote": "verify-bad-quote",
      "verifier-uncertain": "verify-uncertain",
      good: "good",
      "verifier-yes": "verify-confirm-all",
      "verifier-no": "verify-refute-all",
      "verifier-thin": "thin",
    },
  });
});
afterAll(() => sim.stop());

const FILES = {
  "src/ledger.rs": "tests/fixtures/sim/ledger.rs",
  "src/loader.ts": "tests/fixtures/sim/loader.ts",
  "src/sync.py": "tests/fixtures/sim/sync.py",
  "src/clean.go": "tests/fixtures/sim/clean.go",
};
/** The real defects of the fixtures: the only lines a finding may stand on after verification. */
const REAL = new Set(["src/ledger.rs:24", "src/ledger.rs:27", "src/loader.ts:11", "src/sync.py:8", "src/sync.py:13"]);

interface Row {
  path: string;
  line_start: number;
  disposition: string | null;
  verified_by: string | null;
  verify_reason: string | null;
  rung: string | null;
  fingerprint: string;
}

for (const protocol of ["ollama", "openai"] as const) {
  describe(`[verify] over the ${protocol} protocol`, () => {
    const url = () => (protocol === "ollama" ? sim.ollamaHost : sim.openaiBaseUrl);
    const ladder = (verifierModel: string, extra = "") =>
      [rung("detect", protocol, url(), "detector"), rung("check", protocol, url(), verifierModel), `[verify]\nrung = "check"\n${extra}`].join("\n");

    test("a noisy detector and a verifier of real defects: exactly the real defects raise verdicts; the second sweep is cached", async () => {
      const p = makeProject(FILES, ladder("verifier"));
      try {
        const first = await p.scrum("run", "src", "--label", "v1", "--json");
        expect(first.code).toBe(0);
        const db = p.db();
        const findings = db.prepare(`SELECT path, line_start, disposition, verified_by, verify_reason, rung, fingerprint, severity, evidence_verified, dismissal_id FROM findings WHERE category <> 'verified_components' AND evidence_verified = 1 AND iteration_id = 1`).all() as Row[];
        const refuted = findings.filter((f) => f.disposition === "refuted");
        const standing = findings.filter((f) => f.disposition !== "refuted");
        // The detector made noise, the verifier refuted it, with its reason, and it names who produced the finding.
        expect(refuted.length).toBeGreaterThan(3);
        for (const f of refuted) {
          expect(f.verified_by).toBe("verifier");
          expect(f.verify_reason).toMatch(/working logic/);
          expect(f.rung).toBe("detect");
        }
        expect(new Set(standing.map((f) => `${f.path}:${f.line_start}`))).toEqual(REAL);
        expect(standing.every((f) => f.disposition === "confirmed")).toBe(true);
        const verdicts = Object.fromEntries((db.prepare(`SELECT path, verdict, findings_count FROM file_reviews WHERE iteration_id = 1`).all() as Array<{ path: string; verdict: string; findings_count: number }>).map((r) => [r.path, r]));
        expect(verdicts["src/clean.go"]!.verdict).toBe("pass");
        for (const path of ["src/ledger.rs", "src/loader.ts", "src/sync.py"]) expect(verdicts[path]!.verdict).toBe("needs_patch");
        const m = Object.fromEntries((db.prepare(`SELECT name, value FROM metrics WHERE iteration_id = 1`).all() as { name: string; value: number }[]).map((x) => [x.name, x.value]));
        expect(m.findings_refuted).toBe(refuted.length);
        expect(m.findings_total).toBe(standing.length);
        expect(m.refutation_rate).toBeCloseTo(refuted.length / findings.length, 2);
        const verifyCalls = db.prepare(`SELECT count(*) AS n FROM attempts WHERE iteration_id = 1 AND purpose = 'verify' AND outcome = 'accepted'`).get() as { n: number };
        expect(verifyCalls.n).toBe(findings.length);
        db.close();

        // Refuted findings are in the SARIF log, suppressed with the verifier's reason; confirmed ones are open.
        const sarifPath = join(p.dir, "out.sarif");
        expect((await p.scrum("report", "--format", "sarif", "--out", sarifPath)).code).toBe(0);
        const results = JSON.parse(readFileSync(sarifPath, "utf8")).runs[0].results as Array<{ suppressions?: Array<{ justification: string }>; properties: { disposition?: string } }>;
        const suppressed = results.filter((r) => r.suppressions);
        expect(suppressed.length).toBe(refuted.length);
        expect(suppressed.every((r) => /refuted by the verifier \(verifier\)/.test(r.suppressions![0]!.justification))).toBe(true);
        expect(results.filter((r) => !r.suppressions && r.properties.disposition === "confirmed").length).toBe(standing.length);
        // rdjsonl leaves refuted findings out (findings whose evidence is not in the file are reported one level lower).
        const rd = (await p.scrum("report", "--format", "rdjsonl")).out.trim().split("\n").filter((l) => l !== "");
        const dbr = p.db();
        const unquoted = (dbr.prepare(`SELECT count(*) AS n FROM findings WHERE iteration_id = 1 AND category <> 'verified_components' AND evidence_verified = 0`).get() as { n: number }).n;
        dbr.close();
        expect(rd.length).toBe(standing.length + unquoted);
        // flagged lists the three files with real defects, not the clean one.
        const flagged = (await p.scrum("flagged", "--format", "paths")).out.trim().split("\n").sort();
        expect(flagged).toEqual(["src/ledger.rs", "src/loader.ts", "src/sync.py"]);

        // Nothing changed: the second sweep asks no model anything, verification included.
        const before = sim.calls.length;
        expect((await p.scrum("run", "src", "--label", "v2", "--json")).code).toBe(0);
        expect(sim.calls.length).toBe(before);
        const db2 = p.db();
        const cached = db2.prepare(`SELECT purpose, outcome, count(*) AS n FROM attempts WHERE iteration_id = 2 GROUP BY purpose, outcome`).all() as Array<{ purpose: string; outcome: string; n: number }>;
        expect(cached.every((c) => c.outcome === "cached")).toBe(true);
        expect(cached.find((c) => c.purpose === "verify")?.n).toBe(findings.length);
        const again = db2.prepare(`SELECT count(*) AS n FROM findings WHERE iteration_id = 2 AND disposition = 'refuted'`).get() as { n: number };
        expect(again.n).toBe(refuted.length);
        db2.close();
      } finally {
        p.cleanup();
      }
    });

    test("--estimate prices verification as an upper bound: max_per_file calls a file", async () => {
      const p = makeProject(FILES, ladder("verifier", "max_per_file = 5"));
      try {
        const r = await p.scrum("run", "src", "--estimate", "--json");
        expect(r.code).toBe(0);
        const e = JSON.parse(r.out) as { files: number; verify: { rung: string; max_calls: number; tokens_in_per_call: number } };
        expect(e.verify.rung).toBe("check");
        expect(e.verify.max_calls).toBe(e.files * 5);
        expect(e.verify.tokens_in_per_call).toBeGreaterThan(100);
        expect((await p.scrum("run", "src", "--estimate")).out).toMatch(/verify: rung check \(verifier\), at most 20 calls/);
      } finally {
        p.cleanup();
      }
    });

    test("a thin verifier answer climbs the ladder from the verifier rung; the rung above settles the finding", async () => {
      const routing = [rung("detect", protocol, url(), "detector"), rung("check", protocol, url(), "verifier-thin"), rung("big", protocol, url(), "verifier"), `[verify]\nrung = "check"\n`].join("\n");
      const p = makeProject({ "src/ledger.rs": FILES["src/ledger.rs"] }, routing);
      try {
        expect((await p.scrum("run", "src", "--json")).code).toBe(0);
        const db = p.db();
        const rows = db.prepare(`SELECT disposition, verified_by FROM findings WHERE category <> 'verified_components' AND evidence_verified = 1`).all() as Row[];
        expect(rows.length).toBeGreaterThan(0);
        expect(rows.every((f) => f.disposition !== null && f.verified_by === "verifier")).toBe(true);
        const attempts = db.prepare(`SELECT rung, outcome, count(*) AS n FROM attempts WHERE purpose = 'verify' GROUP BY rung, outcome ORDER BY rung`).all() as Array<{ rung: string; outcome: string; n: number }>;
        expect(attempts).toEqual([
          { rung: "big", outcome: "accepted", n: rows.length },
          { rung: "check", outcome: "thin", n: rows.length },
        ]);
        db.close();
      } finally {
        p.cleanup();
      }
    });

    test("a verifier that fails climbs the ladder; with none above, the findings stand unverified with the reason", async () => {
      const p = makeProject(FILES, ladder("verifier-down"));
      try {
        const r = await p.scrum("run", "src", "--json");
        expect(r.code).toBe(0);
        const db = p.db();
        const rows = db.prepare(`SELECT disposition, verify_reason FROM findings WHERE category <> 'verified_components' AND evidence_verified = 1`).all() as Row[];
        expect(rows.length).toBeGreaterThan(0);
        // Which reason a finding gets depends on when its call starts: the failure itself, the server's breaker holding,
        // or the rung cooled down by the failures of the other findings' calls (a loaded machine reorders them).
        expect(rows.every((f) => f.disposition === null && /^not verified: rung check \(verifier-down\) (error|skipped: (breaker|cooldown))/.test(f.verify_reason ?? ""))).toBe(true);
        const clean = db.prepare(`SELECT verdict FROM file_reviews WHERE path = 'src/clean.go'`).get() as { verdict: string };
        // Noise nobody refuted still counts: a failed verifier never turns a finding into a pass.
        expect(clean.verdict).toBe("needs_patch");
        db.close();
      } finally {
        p.cleanup();
      }
    });

    test("a confirmation whose quote is not in the file counts as uncertain and caps the tier at review", async () => {
      const p = makeProject({ "src/ledger.rs": FILES["src/ledger.rs"] }, ladder("verifier-bad-quote"));
      try {
        expect((await p.scrum("run", "src", "--json")).code).toBe(0);
        const db = p.db();
        const rows = db.prepare(`SELECT disposition, verify_reason FROM findings WHERE category <> 'verified_components' AND evidence_verified = 1`).all() as Row[];
        expect(rows.every((f) => f.disposition === "uncertain" && /quote is not in the file/.test(f.verify_reason ?? ""))).toBe(true);
        const file = db.prepare(`SELECT gradient_tier FROM file_reviews`).get() as { gradient_tier: string };
        expect(file.gradient_tier).not.toBe("auto");
        db.close();
      } finally {
        p.cleanup();
      }
    });

    test("a budget stops verification cleanly: what was not verified stands unverified with the budget reason", async () => {
      // A call holds its prompt plus its whole answer reserve before it is sent (1024 tokens unset): the cheap detector's
      // call fits in $0.5, none of the dear verifier's does ($1 for the reserve alone).
      const priced = (name: string, model: string, perMtok: number) => rung(name, protocol, url(), model, `cost_in_per_mtok = ${perMtok}\ncost_out_per_mtok = ${perMtok}\nconcurrency = 1`);
      const routing = [priced("detect", "detector", 100), priced("check", "verifier", 1000), `[verify]\nrung = "check"\n`, `[budget]\nmax_cost_usd = 0.5\n`].join("\n");
      const p = makeProject({ "src/ledger.rs": FILES["src/ledger.rs"] }, routing);
      try {
        const r = await p.scrum("run", "src", "--json", "--concurrency", "1");
        const db = p.db();
        const rows = db.prepare(`SELECT disposition, verify_reason FROM findings WHERE category <> 'verified_components' AND evidence_verified = 1`).all() as Row[];
        const unverified = rows.filter((f) => f.disposition === null);
        expect(unverified.length).toBeGreaterThan(0);
        expect(unverified.every((f) => /budget/.test(f.verify_reason ?? ""))).toBe(true);
        const status = db.prepare(`SELECT status FROM iterations`).get() as { status: string };
        expect(status.status).toBe("done");
        expect(r.code).toBe(1);
        db.close();
      } finally {
        p.cleanup();
      }
    });
  });
}

describe("the ladder learns from its own log", () => {
  test("scrum rungs shows overturn rates with Wilson intervals; skip_when_trusted skips a rung's category once its upper bound is <= 5%", async () => {
    // 80 findings make long answers: room for them (an ollama rung sends num_predict, 1,024 tokens unless set).
    const long = "max_output_tokens = 16384\ncontext_tokens = 32768";
    const routing = [rung("detect", "ollama", sim.ollamaHost, "good", long), rung("check", "ollama", sim.ollamaHost, "verifier-yes", long), `[verify]\nrung = "check"\nmax_per_file = 200\nskip_when_trusted = true\nmin_judged = 50\n`].join("\n");
    const p = makeProject({}, routing);
    try {
      // 80 distinct TODOs: the detector flags each, the verifier confirms each: 80 judged, none overturned.
      writeFileSync(join(p.dir, "todo.ts"), Array.from({ length: 80 }, (_, i) => `export const item${i} = ${i}; // TODO: handle case ${i}`).join("\n") + "\n");
      expect((await p.scrum("run", "todo.ts", "--label", "first")).code).toBe(0);
      const rungs = JSON.parse((await p.scrum("rungs", "--json", "--min-judged", "50")).out) as {
        rungs: Array<{ rung: string; overturn: { judged: number; overturned: number; high: number }; confirmed_findings: number; per_confirmed_finding: { tokens: number } | null; categories: Array<{ category: string; trusted: boolean }> }>;
      };
      const detect = rungs.rungs.find((r) => r.rung === "detect")!;
      expect(detect.overturn.judged).toBe(80);
      expect(detect.overturn.overturned).toBe(0);
      expect(detect.overturn.high).toBeLessThanOrEqual(0.05);
      expect(detect.confirmed_findings).toBe(80);
      expect(detect.per_confirmed_finding!.tokens).toBeGreaterThan(0);
      expect(detect.categories.find((c) => c.category === "pseudocode_flags")!.trusted).toBe(true);
      const table = (await p.scrum("rungs")).out;
      expect(table).toMatch(/detect\s+good/);
      // A second sweep without the cache: the detector's TODO findings are trusted, so none goes to the verifier.
      const before = sim.calls.filter((c) => c.model === "verifier-yes").length;
      const second = await p.scrum("run", "todo.ts", "--label", "second", "--no-cache");
      expect(second.code).toBe(0);
      expect(second.out).toMatch(/80 skipped as trusted/);
      expect(sim.calls.filter((c) => c.model === "verifier-yes").length).toBe(before);
      const db = p.db();
      const reasons = db.prepare(`SELECT DISTINCT verify_reason FROM findings WHERE iteration_id = 2 AND category <> 'verified_components'`).all() as Array<{ verify_reason: string }>;
      expect(reasons).toHaveLength(1);
      expect(reasons[0]!.verify_reason).toMatch(/^not verified: trusted: rung detect's pseudocode_flags overturned 0 of 80 \(95% upper bound 4\.\d% <= 5%\)/);
      db.close();
    } finally {
      p.cleanup();
    }
  });
});

describe("[verify] static = true: a model triages the deterministic rung's candidates", () => {
  for (const triage of [true, false]) {
    test(`static = ${triage}: the static rung's findings ${triage ? "go to the verifier, which refutes them" : "are never sent"}`, async () => {
      const routing = [`[[ladder]]\nname = "static"\nprovider = "static"\n`, rung("check", "ollama", sim.ollamaHost, "verifier-no"), `[verify]\nrung = "check"\nstatic = ${triage}\nmin_severity = "low"\n`, `[static]\nraise = ["empty-catch", "fixme-marker", "stub-throw"]\n`].join("\n");
      const p = makeProject({ "src/loader.ts": FILES["src/loader.ts"] }, routing);
      try {
        expect((await p.scrum("run", "src", "--json")).code).toBe(0);
        const db = p.db();
        const rows = db.prepare(`SELECT rung, rule, disposition FROM findings WHERE category <> 'verified_components' AND evidence_verified = 1`).all() as Array<{ rung: string; rule: string | null; disposition: string | null }>;
        expect(rows.length).toBeGreaterThan(0);
        expect(rows.every((r) => r.rung === "static" && r.rule !== null)).toBe(true);
        expect(rows.every((r) => r.disposition === (triage ? "refuted" : null))).toBe(true);
        const file = db.prepare(`SELECT verdict FROM file_reviews`).get() as { verdict: string };
        expect(file.verdict).toBe(triage ? "pass" : "needs_patch");
        db.close();
      } finally {
        p.cleanup();
      }
    });
  }
});
