/** `scrum shard FILE`: the shard plan of one file, for debugging. */
import { resolve } from "node:path";
import { UsageError } from "../../../domain/errors";
import { shardFile } from "../../shard/shard";
import type { ShardPlan } from "../../shard/types";
import { readTarget } from "../../targets/targets";
import { renderTable } from "../table";
import { loadContextConfig, type CommandContext } from "../context";

/** The plan in the contract's JSON shape (snake_case, 1-based inclusive lines). */
export function planJson(plan: ShardPlan) {
  return {
    path: plan.path,
    lines: plan.lines,
    language: plan.language,
    strategy: plan.strategy,
    shards: plan.shards.map((s) => ({
      index: s.index,
      line_start: s.lineStart,
      line_end: s.lineEnd,
      chars: s.chars,
      symbols: s.symbols,
      split_inside: s.splitInside,
      preamble: s.preamble,
    })),
  };
}

export async function shardCommand(ctx: CommandContext, args: string[]): Promise<number> {
  if (args.length !== 1) throw new UsageError("usage: scrum shard FILE [--json]");
  const config = loadContextConfig(ctx);
  const abs = resolve(ctx.cwd, args[0]!);
  let target;
  try {
    target = readTarget(abs, ctx.cwd, config.sweep.maxFileBytes);
  } catch {
    throw new UsageError(`cannot read "${args[0]}" (resolved to ${abs})`);
  }
  if (target.kind === "skipped") throw new UsageError(`${target.path} would be skipped: ${target.reason}`);
  const plan = await shardFile(target.path, target.text, { thresholdChars: config.sweep.shardThresholdChars, maxShardChars: config.sweep.maxShardChars });
  if (ctx.json) {
    ctx.io.out(JSON.stringify(planJson(plan), null, 2));
    return 0;
  }
  ctx.io.out(`${plan.path}: ${plan.lines} lines, ${plan.language}, ${plan.shards.length} shard(s) by ${plan.strategy}`);
  ctx.io.out(
    renderTable(
      ["shard", "lines", "chars", "split", "symbols"],
      plan.shards.map((s) => [s.index + 1, `${s.lineStart}-${s.lineEnd}`, s.chars, s.splitInside ? "inside" : "", s.symbols.join(", ").slice(0, 100)]),
    ),
  );
  return 0;
}
