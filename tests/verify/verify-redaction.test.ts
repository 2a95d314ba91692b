/**
 * A verify request to a cloud rung carries the reviewed file as `sources`: a finding whose title quotes a secret of the
 * file cut short (no name around it, so no detector reads it as one) still reaches the verifier masked.
 */
import { expect, test } from "bun:test";
import type { RungConfig, VerifyConfig } from "../../pipeline/config/config";
import { makeRung } from "../../pipeline/call/rung";
import type { Shard } from "../../pipeline/shard/types";
import type { FileVerdict } from "../../domain/verdict";
import { verifyFindings } from "../../pipeline/verify/verify";
import { FakeProvider } from "../fake-provider";

const SECRET = "Xq9#mK2$vL8pQ4!zR7wE";
const lines = ["function connect() {", `  const dbPassword = "${SECRET}";`, "  return open(dbPassword);", "}"];
const shard: Shard = { index: 0, lineStart: 1, lineEnd: 4, text: lines.join("\n"), chars: lines.join("\n").length, symbols: ["connect"], splitInside: false, preamble: "" };
const config: VerifyConfig = { rung: "cloud", minSeverity: "low", maxPerFile: 5, contextLines: 0, static: false, skipWhenTrusted: false, minJudged: 10 };
const rungConfig: RungConfig = {
  name: "cloud", provider: "openai", model: "verifier", servers: ["http://127.0.0.1:1"], concurrency: 1, timeoutMs: 1000, retries: 0,
  structured: true, cloud: true, costInPerMtok: 0, costOutPerMtok: 0,
};

function verdictQuoting(title: string): FileVerdict {
  const finding = { title, evidence: "function connect() {", line_start: 1, line_end: 1, severity: "high" as const, confidence: 90, fingerprint: "f1", evidence_verified: true, shard: 0 };
  return {
    path: "src/db.ts", verdict: "needs_patch", alignment_score: 4, summary: "hard-coded password",
    critical_failures: [finding], pseudocode_flags: [], prd_mismatches: [], broken_pipelines: [], missing_components: [], risk_points: [], verified_components: [], required_next_actions: [],
    shards: 1, coverage: [0], coverage_complete: true, reduced_by: "merge",
    shard_reviews: [{ index: 0, line_start: 1, line_end: 4, status: "reviewed", rung: "local", model: "m", verdict: "needs_patch", summary: "hard-coded password" }],
  } as FileVerdict;
}

test("a secret of the file cut short in a finding's title reaches a cloud verifier masked", async () => {
  const provider = new FakeProvider("verifier", ["not json"]);
  const cut = SECRET.slice(0, 11);
  await verifyFindings(verdictQuoting(`connect() hard-codes the password ${cut}…`), { path: "src/db.ts", language: "typescript", lines, shards: [shard] }, {
    config, rungs: [makeRung(rungConfig, provider)], systemPrompt: "verify", deps: { sleep: async () => {} }, signal: new AbortController().signal,
  });
  expect(provider.calls.length).toBeGreaterThan(0);
  const prompt = provider.calls[0]!.prompt;
  expect(prompt).toContain("hard-codes the password");
  expect(prompt).not.toContain(cut);
  expect(prompt).toMatch(/<REDACTED:[0-9a-f]{8}>/);
});
