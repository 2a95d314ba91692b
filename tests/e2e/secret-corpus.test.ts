/**
 * The secret corpus through the whole CLI: 100 in-scope values of the public rule sets' test data (a fixed sample),
 * planted in files of many languages, reviewed by `cloud = true` rungs over both protocols (shard and reduce
 * requests, and verify requests whose findings quote the planted lines). No value may be in any request body the
 * simulated server received, raw or JSON-escaped.
 *
 * What reaches a server does not depend on where the KB lives, so the PostgreSQL pass of .ci/run skips it (74 s there).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { startSimServer, type SimServer } from "../../scripts/sim-server";
import { corpusSecrets, plantCorpus } from "../review/secret-plants";
import { ON_POSTGRES } from "../kb/postgres-server";
import { makeProject, rung } from "./harness";

let sim: SimServer;
let plantDir: string;
const SAMPLE = 100;

/** A fixed-seed sample (mulberry32), so a failure names the same values on every run. */
function sample<T>(items: readonly T[], n: number, seed: number): T[] {
  let a = seed;
  const random = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pool = [...items];
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, n);
}

const values = sample(corpusSecrets(), SAMPLE, 23);
const { files } = plantCorpus(values);

beforeAll(async () => {
  sim = await startSimServer({ behaviours: { "cloud-good": "good", "cloud-reduce": "reduce-good", detector: "noisy:1:3:7", "cloud-verifier": "verify-real" } });
  plantDir = mkdtempSync(join(tmpdir(), "scrum-corpus-"));
  for (const f of files) {
    mkdirSync(dirname(join(plantDir, f.path)), { recursive: true });
    writeFileSync(join(plantDir, f.path), f.text);
  }
});
afterAll(() => {
  sim.stop();
  rmSync(plantDir, { recursive: true, force: true });
});

for (const protocol of ["ollama", "openai"] as const) {
  test.skipIf(ON_POSTGRES)(`${SAMPLE} corpus values in ${files.length} files: none reaches a cloud rung (${protocol})`, async () => {
    const url = protocol === "ollama" ? sim.ollamaHost : sim.openaiBaseUrl;
    const routing = [
      `[sweep]\nshard_threshold_chars = 1200\nmax_shard_chars = 1200\n`,
      `[reduce]\nrung = "reducer"\n`,
      rung("cloud", protocol, url, "cloud-good", "cloud = true"),
      rung("reducer", protocol, url, "cloud-reduce", "cloud = true"),
    ].join("\n");
    const p = makeProject(Object.fromEntries(files.map((f) => [f.path, join(plantDir, f.path)])), routing);
    const before = sim.calls.length;
    try {
      const r = await p.scrum("run", "src", "--json");
      expect(r.code).toBe(0);
      const calls = sim.calls.slice(before).filter((c) => c.protocol === protocol);
      // Shard requests for every file, and reduce requests for the files cut into shards.
      expect(calls.filter((c) => c.model === "cloud-good").length).toBeGreaterThanOrEqual(files.length);
      expect(calls.filter((c) => c.model === "cloud-reduce").length).toBeGreaterThan(0);
      const bodies = calls.map((c) => c.body).join("\n");
      expect(bodies).toMatch(/<REDACTED:[0-9a-f]{8}>/);
      const escaped = (v: string) => JSON.stringify(v).slice(1, -1);
      const leaked = values.map((v) => v.value).filter((v) => bodies.includes(v) || bodies.includes(escaped(v)) || bodies.includes(escaped(escaped(v))));
      expect(leaked).toEqual([]);
    } finally {
      p.cleanup();
    }
  }, 120_000);
}

/** Every sampled value found in `bodies` as written, JSON-escaped once or twice. */
function leakedIn(bodies: string): string[] {
  const escaped = (v: string) => JSON.stringify(v).slice(1, -1);
  return values.map((v) => v.value).filter((v) => bodies.includes(v) || bodies.includes(escaped(v)) || bodies.includes(escaped(escaped(v))));
}

for (const protocol of ["ollama", "openai"] as const) {
  test.skipIf(ON_POSTGRES)(`verify requests to a cloud verifier carry none of the values (${protocol})`, async () => {
    const url = protocol === "ollama" ? sim.ollamaHost : sim.openaiBaseUrl;
    // A local detector flags lines all over the planted files; the cloud verifier is asked about each finding.
    const routing = [rung("detect", protocol, url, "detector"), rung("check", protocol, url, "cloud-verifier", "cloud = true"), `[verify]\nrung = "check"\nmin_severity = "low"\n`].join("\n");
    const p = makeProject(Object.fromEntries(files.map((f) => [f.path, join(plantDir, f.path)])), routing);
    const before = sim.calls.length;
    try {
      const r = await p.scrum("run", "src", "--json");
      expect(r.code).toBe(0);
      const calls = sim.calls.slice(before).filter((c) => c.protocol === protocol);
      const verify = calls.filter((c) => c.model === "cloud-verifier");
      expect(verify.length).toBeGreaterThan(0);
      // The detector is local: it gets the values (the check below can fail), the verifier gets none.
      expect(leakedIn(calls.filter((c) => c.model === "detector").map((c) => c.body).join("\n")).length).toBeGreaterThan(0);
      expect(leakedIn(verify.map((c) => c.body).join("\n"))).toEqual([]);
    } finally {
      p.cleanup();
    }
  }, 120_000);
}
