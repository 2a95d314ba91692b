/**
 * Truncation first (issue 18): a prompt the server cut is `invalid` with the truncation reason whatever the answer looks
 * like; thinness is judged only on prompts the model read whole. The simulated server here ignores num_ctx and cuts
 * every prompt over 2048 tokens from the front (the model, its instructions lost, answers thin), on both protocols —
 * as a proxy that drops options, or Ollama's /v1 endpoint, does. bin/scrum as a process.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startSimServer, type SimServer } from "../../scripts/sim-server";
import { makeProject, rung, spawnScrum, type Project } from "./harness";

const FILES = {
  "src/auth.rs": "examples/demo-repo/src/auth.rs",
  "src/report.py": "examples/demo-repo/src/report.py",
  // Two shards whose prompts (~2540 tokens as the server counts) are over the server's 2048.
  "src/pipeline.ts": "examples/demo-repo/src/pipeline.ts",
};

let sim: SimServer;
const projects: Project[] = [];
beforeAll(async () => {
  sim = await startSimServer({
    behaviours: { cutter: "good", lazy: "thin" },
    windows: { cutter: { contextTokens: 32768, cutsAt: 2048 } },
  });
});
afterAll(async () => {
  for (const p of projects) p.cleanup();
  await sim.stop();
});

interface AttemptOut {
  path: string;
  outcome: string;
  reason: string | null;
}

async function attemptsOf(protocol: "ollama" | "openai", model: string): Promise<AttemptOut[]> {
  const url = protocol === "ollama" ? sim.ollamaHost : sim.openaiBaseUrl;
  // The rung says its window is 16384: the server runs with 2048 whatever num_ctx asks.
  const p = makeProject(FILES, rung("r", protocol, url, model, "context_tokens = 16384"));
  projects.push(p);
  const r = await spawnScrum(p.dir, ["run", "src", "--json"]);
  expect(r.code).toBeLessThanOrEqual(1);
  const db = p.db();
  try {
    return db.query(`SELECT path, outcome, reason FROM attempts ORDER BY path, shard_index`).all() as AttemptOut[];
  } finally {
    db.close();
  }
}

for (const protocol of ["ollama", "openai"] as const) {
  describe(`a server that cuts the prompt silently (${protocol} protocol)`, () => {
    test("every cut prompt is invalid with the truncation reason, none is thin; whole prompts are judged as usual", async () => {
      const before = sim.calls.length;
      const attempts = await attemptsOf(protocol, "cutter");
      const cut = sim.calls.slice(before).filter((c) => c.truncated);
      expect(cut).toHaveLength(2);
      const pipeline = attempts.filter((a) => a.path === "src/pipeline.ts");
      expect(pipeline).toHaveLength(2);
      for (const a of pipeline) {
        expect(a.outcome).toBe("invalid");
        expect(a.reason).toMatch(/^prompt truncated by the server \(2048 of ~\d+ tokens read/);
      }
      expect(attempts.filter((a) => a.path !== "src/pipeline.ts").map((a) => a.outcome)).toEqual(["accepted", "accepted"]);
      expect(attempts.some((a) => a.outcome === "thin")).toBe(false);
    });

    test("a thin answer to a prompt read whole is still thin", async () => {
      const attempts = await attemptsOf(protocol, "lazy");
      expect(attempts.length).toBeGreaterThan(0);
      expect(attempts.every((a) => a.outcome === "thin")).toBe(true);
    });
  });
}
