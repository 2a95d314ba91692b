/** One file through the pipeline: shard, review every shard up the ladder, reduce, score. Returns the rows to store. */
import type { Config } from "../config/config";
import type { Attempt } from "../../domain/attempt";
import type { Rung } from "../call/rung";
import { countEscalations, fitsSomeWindow, type LadderDeps } from "../review/ladder";
import type { CompletionRequest } from "../providers/provider";
import { climbWithConsensus } from "../review/consensus";
import { fencedShardMessages } from "../review/prompt";
import { scanInjections, type HandledInjection } from "../review/injection";
import { addFileFindings, mergeShardResults, type ShardResult } from "../reduce/merge";
import { applyDismissals } from "../reduce/dismiss";
import { staticFloor, unseenBy } from "../reduce/static-floor";
import { identifyFindings, needsOutline } from "../reduce/identity";
import { outlineFile } from "../shard/outline";
import { hasGrammar, withSharedTree, type SharedTree } from "../shard/grammars";
import { reduceWithModel } from "../reduce/llm-reduce";
import { capTier, confidenceStats, gradientTier } from "../score/tiers";
import { fileCounts } from "../../domain/counts";
import { splitLines } from "../shard/lines";
import { shardFile } from "../shard/shard";
import type { Shard, ShardPlan } from "../shard/types";
import type { SourceFile } from "../targets/targets";
import { validateFileVerdict } from "../verdict/verdict";
import { describeInstructions, instructionsFor, withInstructions, type LoadedInstructions } from "../review/instructions";
import type { FileOutcome, Reviewer } from "../../domain/outcome";
import { verifyFindings, type VerifyContext } from "../verify/verify";

export interface ReviewContext {
  config: Config;
  rungs: Rung[];
  /** The rung of the optional LLM reduce pass. */
  reduceRung?: Rung;
  systemPrompt: string;
  reducePrompt: string;
  deps: LadderDeps;
  signal: AbortSignal;
  /** Active dismissals: fingerprint → dismissal id. */
  dismissed?: ReadonlyMap<string, number>;
  /** Repository rules ([[instructions]]), read once per run; each file gets those its globs match. */
  instructions?: readonly LoadedInstructions[];
  /** false: no static floor beside the models' verdicts (the bench). Default true. */
  staticFloor?: boolean;
  /** [verify]: the verifier ladder and its settings; absent when verification is off. */
  verify?: Omit<VerifyContext, "signal" | "deps">;
}

/** Review one readable file; `notes` are its open fix-next-loop notes. */
export async function reviewFile(file: SourceFile, notes: string[], ctx: ReviewContext): Promise<FileOutcome> {
  const started = performance.now();
  // Repository rules follow the system prompt of each of this file's shards: part of what the cache key hashes.
  const rules = instructionsFor(ctx.instructions ?? [], file.path);
  ctx = { ...ctx, systemPrompt: withInstructions(ctx.systemPrompt, rules) };
  const { plan, base, requests } = await planWithinWindows(file, notes, ctx);
  // Deterministic and model-independent: whatever the rungs answer, text in the file that speaks to them is a finding.
  const injections = await scanInjections(file.path, plan.language, file.text, { raise: ctx.config.static.raiseInjection });
  const outcomes = await Promise.all(
    plan.shards.map((shard, i) =>
      climbWithConsensus(
        requests[i]!,
        shard.index,
        ctx.rungs,
        ctx.config.consensus,
        ctx.deps,
        ctx.signal,
      ),
    ),
  );
  const results: ShardResult[] = plan.shards.map((shard, i) => {
    const o = outcomes[i]!;
    return o.accepted
      ? { status: "reviewed", shard, verdict: o.accepted.verdict, rung: o.accepted.rung, model: o.accepted.model }
      : { status: "unreviewed", shard, reasons: o.reasons };
  });
  const attempts: Attempt[] = outcomes.flatMap((o) => [...o.attempts, ...o.votes]);
  // Consensus voters on other rungs are extra answers, not a climb.
  const escalations = countEscalations(outcomes.flatMap((o) => o.attempts));
  const lines = splitLines(file.text);
  let merged = addFileFindings(mergeShardResults(file.path, lines, results), "risk_points", injections.findings, lines, plan.shards);
  // A model's answer never hides what the precise static rules prove; the floor reads the plan before any re-split.
  const byModel = results.some((r) => r.status === "reviewed" && ctx.rungs.some((g) => g.config.name === r.rung && g.config.provider !== "static"));
  const floorAndOutline = async (shared?: SharedTree) => {
    if (byModel && ctx.staticFloor !== false) {
      for (const [category, found] of await staticFloor(base, ctx.config.static.raise, shared)) merged = addFileFindings(merged, category, unseenBy(merged, found), lines, plan.shards);
    }
    if (!needsOutline(merged)) return [];
    // A file the sharder parsed was outlined from that parse; only a one-shard file is parsed here.
    return base.outline ?? (await outlineFile(file.path, file.text, shared));
  };
  // A one-shard file is parsed once for both, not once by the floor (its shard) and again by the outline (the file).
  const whole = base.shards.length === 1 && hasGrammar(base.language) ? base.shards[0]!.text : undefined;
  const outline = whole === undefined ? await floorAndOutline() : await withSharedTree(base.language, whole, floorAndOutline);
  let verdict = applyDismissals(identifyFindings(merged, outline), ctx.dismissed ?? new Map());
  if (ctx.reduceRung && plan.shards.length > 1 && verdict.coverage.length > 0) {
    const reduced = await reduceWithModel(verdict, ctx.reduceRung, ctx.reducePrompt, ctx.deps, ctx.signal, [file.text]);
    verdict = reduced.verdict;
    attempts.push(...reduced.attempts);
  }
  if (injections.handled.length > 0) verdict = { ...verdict, summary: `${verdict.summary}\n${handledNote(injections.handled)}` };
  const who = reviewerOf(outcomes, ctx.rungs);
  if (ctx.verify && verdict.verdict !== "unreviewed") {
    const checked = await verifyFindings(verdict, { path: file.path, language: plan.language, lines, shards: plan.shards }, { ...ctx.verify, deps: ctx.deps, signal: ctx.signal });
    verdict = checked.verdict;
    attempts.push(...checked.attempts);
  }
  const formats = outcomes.map((o) => o.accepted?.format).filter((f): f is NonNullable<typeof f> => f !== undefined);
  const checked = validateFileVerdict(verdict);
  if (!checked.ok) throw new Error(`bug: file verdict of ${file.path} fails its schema: ${checked.errors.join("; ")}`);
  const stats = confidenceStats(verdict);
  const counts = fileCounts(verdict);
  return {
    kind: "reviewed",
    path: file.path,
    sha: file.sha,
    verdict,
    attempts,
    counts,
    confidence: { avg: stats.avg, min: stats.min },
    tier: verdict.verdict === "unreviewed" ? null : capTier(gradientTier(stats, ctx.config.gradient, counts.findings), verdict, { handledInjections: injections.handled.length }),
    shards: plan.shards.length,
    strategy: plan.strategy,
    outputFormat: formats.length === 0 ? null : formats.every((f) => f === formats[0]) ? formats[0]! : "mixed",
    acceptedModels: [...new Set(outcomes.map((o) => o.accepted?.model).filter((m): m is string => m !== undefined))],
    escalations,
    latencyMs: Math.round(performance.now() - started),
    instructions: describeInstructions(rules),
    reviewer: who.reviewer,
    degradedReason: who.degradedReason,
  };
}

/**
 * Which kind of reviewer answered the file's shards: `static` for a ladder of the static rung only, `static_fallback`
 * when the static rung answered a shard after the model rungs gave up (the reasons say why), `model` when model rungs
 * answered every reviewed shard; null when no shard was reviewed.
 */
export function reviewerOf(
  outcomes: readonly { accepted: { rung: string } | null; reasons: string[] }[],
  rungs: readonly Rung[],
): { reviewer: Reviewer | null; degradedReason: string | null } {
  const staticRungs = new Set(rungs.filter((r) => r.config.provider === "static").map((r) => r.config.name));
  const accepted = outcomes.filter((o) => o.accepted !== null);
  if (accepted.length === 0) return { reviewer: null, degradedReason: null };
  if (staticRungs.size === rungs.length) return { reviewer: "static", degradedReason: null };
  const fellBack = accepted.filter((o) => staticRungs.has(o.accepted!.rung));
  if (fellBack.length === 0) return { reviewer: "model", degradedReason: null };
  const reasons = [...new Set(fellBack.flatMap((o) => o.reasons))];
  return { reviewer: "static_fallback", degradedReason: reasons.length > 0 ? reasons.join("\n") : "no model rung answered" };
}

/** Why a file with no injection finding is still held at `review`: the lines that quote injection text as data. */
function handledNote(handled: readonly HandledInjection[]): string {
  const where = handled.map((h) => (h.line === 0 ? "its path" : `line ${h.line} (${h.reason})`)).join(", ");
  return `Held below auto: ${where} quote prompt-injection text the code handles as data; not a finding, but a human should confirm.`;
}

/** What a rung is asked about one shard. */
function shardRequest(file: SourceFile, plan: ShardPlan, shard: Shard, notes: string[], ctx: ReviewContext): Omit<CompletionRequest, "schema"> {
  return {
    ...fencedShardMessages(ctx.systemPrompt, { path: file.path, language: plan.language, shard, shardCount: plan.shards.length, notes }),
    shard: { path: file.path, language: plan.language, lineStart: shard.lineStart, text: shard.text },
    // The notes quote earlier answers, which may quote a secret cut short: the file's secrets are masked in any form.
    sources: [file.text],
  };
}

/** The smallest max_shard_chars a re-split goes down to (the config's own minimum). */
const MIN_SHARD_CHARS = 200;

/**
 * The file's shard plan, split further while a shard's request fits no rung's window: the sharder's own
 * statement-level split at a smaller max_shard_chars, so the shards still cover the file exactly. At
 * MIN_SHARD_CHARS it stops; the ladder then skips each rung with the reason. `requests` are the plan's shard
 * requests, built once: the ones whose window was checked are the ones sent.
 */
async function planWithinWindows(file: SourceFile, notes: string[], ctx: ReviewContext): Promise<{ plan: ShardPlan; base: ShardPlan; requests: Omit<CompletionRequest, "schema">[] }> {
  const { sweep } = ctx.config;
  let limits = { thresholdChars: sweep.shardThresholdChars, maxShardChars: sweep.maxShardChars };
  let base: ShardPlan | undefined;
  // The first plan also brings the file's outline from the sharder's parse (a re-split needs none) when a model rung
  // reviews the file: a model's answer usually holds a finding, which needs the outline. A static-only sweep finds
  // something in few files, and outlining every tree cost it more than parsing those few again (docs/PERFORMANCE.md,
  // eleventh pass).
  const outline = ctx.rungs.some((r) => r.config.provider !== "static");
  for (;;) {
    const plan = await shardFile(file.path, file.text, { ...limits, outline: outline && base === undefined });
    base ??= plan;
    const requests = plan.shards.map((shard) => shardRequest(file, plan, shard, notes, ctx));
    const fits = await Promise.all(requests.map((request) => fitsSomeWindow(request, ctx.rungs)));
    const over = plan.shards.filter((_, i) => !fits[i]);
    if (over.length === 0 || limits.maxShardChars <= MIN_SHARD_CHARS) return { plan, base, requests };
    const next = Math.max(MIN_SHARD_CHARS, Math.floor(Math.min(limits.maxShardChars, ...over.map((s) => s.chars)) * 0.75));
    limits = { thresholdChars: Math.min(limits.thresholdChars, next), maxShardChars: next };
  }
}
