/**
 * What redaction for a cloud rung costs: the one-off secretlint setup, then per shard request (system prompt + a
 * numbered shard prompt of about max_shard_chars), over real files of this repository.
 *
 *   npx bun scripts/bench-redact.ts [--rounds 5]
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { Glob } from "bun";
import { redactRequest } from "../pipeline/review/redact";
import { buildShardPrompt, buildSystemPrompt } from "../pipeline/review/prompt";
import { shardFile } from "../pipeline/shard/shard";

const { values } = parseArgs({ options: { rounds: { type: "string", default: "5" } } });
const rounds = Number(values.rounds);
const repo = resolve(import.meta.dir, "..");
const system = buildSystemPrompt(readFileSync(resolve(repo, "prompts/forensic.md"), "utf8"));

const requests: Array<{ system: string; prompt: string }> = [];
for (const rel of new Glob("{pipeline,kb,scripts}/**/*.ts").scanSync(repo)) {
  const text = readFileSync(resolve(repo, rel), "utf8");
  const plan = await shardFile(rel, text, { thresholdChars: 6000, maxShardChars: 6000 });
  for (const shard of plan.shards) requests.push({ system, prompt: buildShardPrompt({ path: rel, language: plan.language, shard, shardCount: plan.shards.length, notes: [] }) });
}

const t0 = performance.now();
await redactRequest(requests[0]!);
const setupMs = performance.now() - t0;

const perRound: number[] = [];
for (let r = 0; r < rounds; r++) {
  const start = performance.now();
  for (const req of requests) await redactRequest(req);
  perRound.push((performance.now() - start) / requests.length);
}
perRound.sort((a, b) => a - b);
const chars = requests.reduce((s, r) => s + r.system.length + r.prompt.length, 0) / requests.length;
console.log(`requests: ${requests.length} (mean ${Math.round(chars)} chars, system prompt included)`);
console.log(`first request (secretlint setup + lint): ${setupMs.toFixed(1)} ms`);
console.log(`per request, median of ${rounds} rounds: ${perRound[Math.floor(rounds / 2)]!.toFixed(2)} ms (min ${perRound[0]!.toFixed(2)}, max ${perRound[rounds - 1]!.toFixed(2)})`);
