/**
 * `scrum run --estimate`: what an iteration would send, per rung, without calling anything or writing to the KB:
 * files, shards, shards the cache already answers, tokens and cost if every shard went to that rung.
 */
import { readFileSync } from "node:fs";
import type { Kb } from "../../kb/kb";
import type { Config, RungConfig } from "../config/config";
import type { CompletionRequest } from "../providers/provider";
import { promptKey, schemaFor } from "../call/request";
import { buildSystemPrompt, fencedShardMessages } from "../review/prompt";
import { instructionsFor, loadInstructions, withInstructions } from "../review/instructions";
import { redactRequest } from "../review/redact";
import { estimateRequest, windowShortfall } from "../review/tokens";
import { shardFile } from "../shard/shard";
import { shippedTemplate } from "../review/template";
import { buildVerifyPrompt, codeFor } from "../verify/verify";
import { readTarget } from "../targets/targets";

export interface RungEstimate {
  rung: string;
  model: string;
  shards: number;
  cached: number;
  /** Shards whose request this rung's window cannot hold: never sent to it (skipped), so not in its tokens. */
  over_window: number;
  tokens_in: number;
  /** Output tokens reserved per call (max_output_tokens, else the default reserve): an upper bound. */
  tokens_out: number;
  cost_usd: number;
}

/**
 * [verify]: findings are not known before the sweep, so verification is priced as an upper bound: every reviewed file
 * sending `max_per_file` verifications, each the verifier prompt, a finding and a code window of 2 × context_lines + 1.
 */
export interface VerifyEstimate {
  rung: string;
  model: string;
  max_calls: number;
  tokens_in_per_call: number;
  tokens_out_per_call: number;
  max_cost_usd: number;
}

export interface Estimate {
  files: number;
  skipped: number;
  shards: number;
  rungs: RungEstimate[];
  verify: VerifyEstimate | null;
}

/** Estimate the sweep of `files` (absolute paths) up `ladder`, reading the cache from `kb` unless `noCache`. */
export async function estimateSweep(input: { files: string[]; root: string; config: Config; ladder: RungConfig[]; kb: Kb; noCache: boolean }): Promise<Estimate> {
  const { config } = input;
  const system = buildSystemPrompt(readFileSync(config.prompts.system, "utf8"), config.prompts.proposal ? readFileSync(config.prompts.proposal, "utf8") : undefined);
  // The same system message the run sends (repository rules included), or the cache keys would never match.
  const instructions = loadInstructions(config.instructions, input.root);
  const rungs = input.ladder.map((r): RungEstimate => ({ rung: r.name, model: r.model, shards: 0, cached: 0, over_window: 0, tokens_in: 0, tokens_out: 0, cost_usd: 0 }));
  let files = 0;
  let skipped = 0;
  let shards = 0;
  let verifyCall: Awaited<ReturnType<typeof sampleVerifyCall>> = null;
  const openNotes = input.kb.notes.openByPath();
  for (const abs of input.files) {
    const target = readTarget(abs, input.root, config.sweep.maxFileBytes, { skipVendored: config.sweep.skipVendored });
    if (target.kind === "skipped") {
      skipped++;
      continue;
    }
    files++;
    const notes = (openNotes.get(target.path) ?? []).map((n) => n.text);
    const plan = await shardFile(target.path, target.text, { thresholdChars: config.sweep.shardThresholdChars, maxShardChars: config.sweep.maxShardChars });
    shards += plan.shards.length;
    if (verifyCall === null && plan.shards[0]) verifyCall = await sampleVerifyCall(config, input.ladder, target.path, plan.language, target.text.split("\n"), plan.shards[0]);
    for (const shard of plan.shards) {
      const base: CompletionRequest = {
        ...fencedShardMessages(withInstructions(system, instructionsFor(instructions, target.path)), { path: target.path, language: plan.language, shard, shardCount: plan.shards.length, notes }),
        shard: { path: target.path, language: plan.language, lineStart: shard.lineStart, text: shard.text },
      };
      for (const [i, rung] of input.ladder.entries()) {
        const row = rungs[i]!;
        row.shards++;
        if (rung.provider === "static") continue;
        const schema = schemaFor(rung);
        const withSchema = { ...base, ...(schema ? { schema } : {}) };
        // The cache key is over what is sent: a cloud rung's request is keyed after redaction, as the ladder does.
        const sent = rung.cloud ? (await redactRequest(withSchema)).request : withSchema;
        if (!input.noCache && input.kb.cache.answer(promptKey(rung, sent)) !== undefined) {
          row.cached++;
          continue;
        }
        const tokens = await estimateRequest(sent, rung);
        if (windowShortfall(tokens, rung)) {
          row.over_window++;
          continue;
        }
        row.tokens_in += tokens.prompt;
        row.tokens_out += tokens.output;
      }
    }
  }
  for (const [i, rung] of input.ladder.entries()) {
    const row = rungs[i]!;
    row.cost_usd = Math.round(((row.tokens_in * rung.costInPerMtok + row.tokens_out * rung.costOutPerMtok) / 1e6) * 1e6) / 1e6;
  }
  return { files, skipped, shards, rungs, verify: verifyCall ? priceVerify(verifyCall, files, config) : null };
}

/** One verification as the run would send it: priced from the biggest code window of the first file, with a typical finding. */
async function sampleVerifyCall(config: Config, ladder: RungConfig[], path: string, language: string, lines: string[], shard: Parameters<typeof codeFor>[1]): Promise<{ rung: RungConfig; prompt: number; output: number } | null> {
  const rung = config.verify ? ladder.find((r) => r.name === config.verify!.rung) : undefined;
  if (!config.verify || !rung) return null;
  const middle = Math.floor((shard.lineStart + shard.lineEnd) / 2);
  const finding = { title: "a finding of the review", evidence: lines[middle - 1] ?? "", line_start: middle, line_end: middle, severity: "medium" as const, confidence: 80, fingerprint: "0".repeat(16), evidence_verified: true, shard: shard.index };
  const code = codeFor(finding, shard, lines, config.verify.contextLines);
  const request: CompletionRequest = { system: shippedTemplate("verify.md"), prompt: buildVerifyPrompt(path, language, { category: "risk_points", finding, producer: "" }, code, shard.preamble) };
  const tokens = await estimateRequest(request, rung);
  return { rung, prompt: tokens.prompt, output: tokens.output };
}

function priceVerify(call: { rung: RungConfig; prompt: number; output: number }, files: number, config: Config): VerifyEstimate {
  const max = files * config.verify!.maxPerFile;
  const cost = (max * (call.prompt * call.rung.costInPerMtok + call.output * call.rung.costOutPerMtok)) / 1e6;
  return { rung: call.rung.name, model: call.rung.model, max_calls: max, tokens_in_per_call: call.prompt, tokens_out_per_call: call.output, max_cost_usd: Math.round(cost * 1e6) / 1e6 };
}
