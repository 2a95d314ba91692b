import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { startSimServer, type SimServer } from "../../scripts/sim-server";
import { kbText, makeProject, rung } from "./harness";

let sim: SimServer;
beforeAll(async () => {
  sim = await startSimServer({
    behaviours: {
      "cheap-thin": "thin",
      "mid-malformed": "malformed",
      "big-good": "good",
      "down-500": "error500",
      "also-thin": "thin-json",
      hang: "hang",
    },
  });
});
afterAll(() => sim.stop());

const FILES = { "src/ledger.rs": "tests/fixtures/sim/ledger.rs", "src/loader.ts": "tests/fixtures/sim/loader.ts" };

for (const protocol of ["ollama", "openai"] as const) {
  describe(`a three-rung ladder over the ${protocol} protocol`, () => {
    const url = () => (protocol === "ollama" ? sim.ollamaHost : sim.openaiBaseUrl);

    test("thin → malformed → good: every file's verdict comes from rung 3 with 2 escalations and 3 attempts", async () => {
      const p = makeProject(FILES, [rung("cheap", protocol, url(), "cheap-thin"), rung("mid", protocol, url(), "mid-malformed"), rung("big", protocol, url(), "big-good")].join("\n"));
      try {
        const r = await p.scrum("run", "src", "--label", "ladder", "--json");
        expect(r.code).toBe(0);
        const db = p.db();
        const files = db.prepare(`SELECT path, verdict, escalations, attempts_made, thin_rejections, accepted_model, shards FROM file_reviews`).all() as Array<Record<string, unknown>>;
        expect(files).toHaveLength(2);
        for (const f of files) {
          expect(f).toMatchObject({ escalations: 2, attempts_made: 3, thin_rejections: 1, accepted_model: "big-good", shards: 1 });
          expect(["pass", "needs_patch", "fail"]).toContain(f.verdict as string);
          const attempts = db.prepare(`SELECT rung, model, outcome, reason, tokens_in, tokens_out FROM attempts WHERE path = ? ORDER BY id`).all(f.path as string) as Array<Record<string, unknown>>;
          expect(attempts.map((a) => [a.rung, a.outcome])).toEqual([["cheap", "thin"], ["mid", "invalid"], ["big", "accepted"]]);
          expect(attempts[2]!.tokens_in as number).toBeGreaterThan(0);
          expect(attempts[1]!.reason as string).toMatch(/JSON/i);
        }
        const m = Object.fromEntries((db.prepare(`SELECT name, value FROM metrics`).all() as { name: string; value: number }[]).map((x) => [x.name, x.value]));
        expect(m).toMatchObject({ escalations: 4, attempts_total: 6, thin_rejections: 2 });
        db.close();
        const used = sim.calls.filter((c) => c.protocol === protocol && c.model === "big-good");
        expect(used.length).toBeGreaterThanOrEqual(2);
        expect(used.every((c) => c.structured)).toBe(true);
      } finally {
        p.cleanup();
      }
    });

    test("every rung failing leaves the files unreviewed with reasons; nothing passes", async () => {
      const p = makeProject(FILES, [rung("a", protocol, url(), "down-500"), rung("b", protocol, url(), "also-thin")].join("\n"));
      try {
        const r = await p.scrum("run", "src", "--json", "--fail-on", "fail");
        expect(r.code).toBe(3);
        const summary = JSON.parse(r.out);
        expect(summary.files).toMatchObject({ total: 2, unreviewed: 2, reviewed: 0 });
        expect(summary.verdicts.pass).toBe(0);
        const db = p.db();
        const rows = db.prepare(`SELECT verdict, error, gradient_tier FROM file_reviews`).all() as Array<{ verdict: string; error: string; gradient_tier: string | null }>;
        db.close();
        for (const row of rows) {
          expect(row.verdict).toBe("unreviewed");
          expect(row.error).toMatch(/rung a .*error: .*500/);
          expect(row.error).toMatch(/rung b .*thin/);
          expect(row.gradient_tier).toBeNull();
        }
      } finally {
        p.cleanup();
      }
    });
  });
}

test("a hanging rung times out and the shard climbs", async () => {
  const p = makeProject({ "src/ledger.rs": "tests/fixtures/sim/ledger.rs" }, [rung("slow", "ollama", sim.ollamaHost, "hang", "timeout_s = 0.3"), rung("big", "openai", sim.openaiBaseUrl, "big-good")].join("\n"));
  try {
    expect((await p.scrum("run", "src", "--quiet")).code).toBe(0);
    const db = p.db();
    const outcomes = (db.prepare(`SELECT outcome FROM attempts ORDER BY id`).all() as { outcome: string }[]).map((a) => a.outcome);
    db.close();
    expect(outcomes).toEqual(["timeout", "accepted"]);
  } finally {
    p.cleanup();
  }
});

test("a ladder whose every model server is unreachable stops before the iteration starts", async () => {
  const p = makeProject({ "src/ledger.rs": "tests/fixtures/sim/ledger.rs" }, rung("local", "ollama", "http://127.0.0.1:9", "qwen2.5-coder:7b"));
  try {
    const r = await p.scrum("run", "src");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/no rung of the ladder is reachable/);
    expect(r.err).toMatch(/ollama serve/);
    expect(r.err).toMatch(/--offline/);
    expect(existsSync(p.kb)).toBe(false); // nothing written, not even an empty KB
  } finally {
    p.cleanup();
  }
});

test("a rung with an unset API key variable is a config error before anything runs", async () => {
  const p = makeProject({ "src/ledger.rs": "tests/fixtures/sim/ledger.rs" }, rung("cloud", "openai", "http://127.0.0.1:9/v1", "m", 'api_key_env = "SCRUM_E2E_UNSET_KEY"'));
  try {
    const r = await p.scrum("run", "src");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/\$SCRUM_E2E_UNSET_KEY, which is unset/);
  } finally {
    p.cleanup();
  }
});

test("config check probes each rung: present, missing model, unreachable, listed but failing", async () => {
  const p = makeProject({}, [rung("ok", "ollama", sim.ollamaHost, "big-good"), rung("nomodel", "openai", sim.openaiBaseUrl, "not-served"), rung("down", "ollama", "http://127.0.0.1:9", "m"), rung("fails", "openai", sim.openaiBaseUrl, "down-500", "retries = 0")].join("\n"));
  try {
    const r = await p.scrum("config", "check", "--json");
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out);
    const by = Object.fromEntries(report.rungs.map((x: { rung: string }) => [x.rung, x]));
    expect(by.ok.ok).toBe(true);
    expect(by.nomodel.servers[0]).toMatchObject({ reachable: true, modelPresent: false });
    expect(by.down.servers[0].reachable).toBe(false);
    expect(by.down.advice).toMatch(/ollama serve/);
    // A server that lists the model and then fails the review (a llama.cpp build that crashed at its first answer)
    // is not told to check the model name.
    expect(by.fails.servers[0]).toMatchObject({ reachable: true, modelPresent: true });
    expect(by.fails.ok).toBe(false);
    expect(by.nomodel.advice).toMatch(/does not list model "not-served"/);
    expect(by.fails.advice).toMatch(/lists the model but did not answer a minimal review/);
    expect(by.fails.advice).not.toMatch(/does not list/);
  } finally {
    p.cleanup();
  }
});

test("an API key from the environment reaches the server as a bearer token and nowhere else", async () => {
  const key = "sk-e2e-secret-0123456789abcdef";
  const guarded = await startSimServer({ behaviours: { "cloud-good": "good" }, apiKey: key });
  const p = makeProject({ "src/ledger.rs": "tests/fixtures/sim/ledger.rs" }, rung("cloud", "openai", guarded.openaiBaseUrl, "cloud-good", 'api_key_env = "SCRUM_E2E_KEY"\ncloud = true'), { SCRUM_E2E_KEY: key });
  try {
    const r = await p.scrum("run", "src", "--json");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).files.reviewed).toBe(1);
    expect(guarded.calls.every((c) => c.authorization)).toBe(true);
    const show = await p.scrum("show", "src/ledger.rs", "--json");
    const history = await p.scrum("history", "--json");
    const kbBytes = kbText(p);
    expect(kbBytes).toContain("SCRUM_E2E_KEY"); // the bytes searched do hold the iteration
    for (const text of [r.out, r.err, show.out, history.out, kbBytes]) expect(text).not.toContain(key);
    const db = p.db();
    const config = (db.prepare(`SELECT config_json FROM iterations`).get() as { config_json: string }).config_json;
    db.close();
    expect(config).toContain("SCRUM_E2E_KEY");
  } finally {
    p.cleanup();
    await guarded.stop();
  }
});
