/** `scrum bench [PATH...]`: recall, differential precision, noise and cost per true positive of this ladder on this code. */
import { resolve } from "node:path";
import { resolveApiKeys, type RungConfig } from "../../config/config";
import { UsageError } from "../../../domain/errors";
import { readLabels } from "../../bench/labels";
import { readInputFile } from "../../config/input-file";
import { MAX_CONCURRENCY } from "./run";
import { OPERATORS, type Operator } from "../../bench/operators";
import { runBench, type BenchResult } from "../../bench/run-bench";
import { renderBench, renderHistory } from "../../bench/table";
import { makeProvider } from "../../providers/make-provider";
import { TraitBook } from "../../providers/traits";
import type { Provider } from "../../providers/provider";
import { StaticProvider } from "../../providers/static";
import { loadContextConfig, openKb, type CommandContext } from "../context";

export interface BenchFlags {
  offline?: boolean;
  /** Seed of the plants (default 1). */
  seed?: string;
  /** Defects to plant at most (default 24). */
  plants?: string;
  /** Comma-separated operators (default all). */
  operators?: string;
  /** Runs per variant, cache off (default 1). */
  repeat?: string;
  /** Lines a finding may be off from a plant (default 2). */
  tolerance?: string;
  labels?: string;
  history?: boolean;
  concurrency?: string;
}

function whole(flag: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === "" || !Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${flag} must be a whole number from ${min} to ${max}; got "${value}"`);
  return n;
}

function operatorsOf(value: string | undefined): Operator[] {
  if (value === undefined) return [...OPERATORS];
  const names = value.split(",").map((s) => s.trim()).filter(Boolean);
  for (const n of names) {
    if (!(OPERATORS as readonly string[]).includes(n)) throw new UsageError(`--operators: unknown operator "${n}"; expected one of: ${OPERATORS.join(", ")}`);
  }
  if (names.length === 0) throw new UsageError(`--operators needs at least one of: ${OPERATORS.join(", ")}`);
  return names as Operator[];
}

/** Run a bench (or list earlier ones with --history); returns the exit code. */
export async function benchCommand(ctx: CommandContext, args: string[], flags: BenchFlags, signal: AbortSignal = new AbortController().signal): Promise<number> {
  if (flags.history) {
    if (args.length > 0) throw new UsageError("--history lists earlier benches; give it no paths");
    const kb = openKb(ctx, { mustExist: true });
    try {
      const rows = kb.benchRuns.all();
      ctx.io.out(ctx.json ? JSON.stringify(rows.map((r) => ({ ...r, details_json: undefined, details: r.details_json ? JSON.parse(r.details_json) : null })), null, 2) : renderHistory(rows));
    } finally {
      kb.close();
    }
    return 0;
  }
  if (args.length === 0) throw new UsageError("no targets: give the paths to bench (e.g. `scrum bench src/`)");
  const options = {
    seed: whole("seed", flags.seed, 1, 0, 2 ** 32 - 1),
    plants: whole("plants", flags.plants, 24, 1, 10_000),
    repeat: whole("repeat", flags.repeat, 1, 1, 100),
    tolerance: whole("tolerance", flags.tolerance, 2, 0, 10_000),
    concurrency: whole("concurrency", flags.concurrency, 8, 1, MAX_CONCURRENCY),
    operators: operatorsOf(flags.operators),
  };
  const labelsFile = flags.labels !== undefined ? resolve(ctx.cwd, flags.labels) : undefined;
  const labels = labelsFile !== undefined ? readLabels(labelsFile, readInputFile(labelsFile, "--labels", { maxBytes: 100_000_000 })) : undefined;
  const config = loadContextConfig(ctx);
  const offline = flags.offline === true;
  const keys = offline ? new Map<string, string>() : resolveApiKeys(config, ctx.env);
  const startedAt = new Date().toISOString();
  // One book for the whole bench: a server's accepted shape is found once, not once per variant.
  const traits = new TraitBook();
  const result: BenchResult = await runBench({
    config,
    cwd: ctx.cwd,
    inputs: args,
    offline,
    ...options,
    ...(labels ? { labels } : {}),
    signal,
    providerFor: (rung: RungConfig): Provider => {
      if (rung.provider === "static") return new StaticProvider({ raise: config.static.raise });
      const apiKey = keys.get(rung.name);
      return makeProvider(rung, { traits, ...(apiKey !== undefined ? { apiKey } : {}) });
    },
    onProgress: (m) => {
      if (!ctx.quiet) ctx.io.err(`${m}\n`);
    },
    onEvent: (e) => {
      if (e.type === "warning") ctx.io.err(`warning: ${e.message}\n`);
    },
  });
  const kb = openKb(ctx, { mustExist: false });
  try {
    const configJson = JSON.stringify({ source: config.source, offline, ...options, labels: flags.labels ?? null, targets: args });
    for (const v of result.variants) {
      kb.benchRuns.record({
        started_at: startedAt,
        config_json: configJson,
        rung: v.variant,
        planted: v.planted,
        found: Math.round(v.found),
        recall: v.recall,
        precision: v.precision,
        noise_per_kloc: v.noise_per_kloc,
        tokens: v.tokens,
        cost_usd: v.cost_usd,
        cost_per_tp: v.cost_per_tp,
        stability: v.stability,
        details_json: JSON.stringify({ ...v.details, found: v.found, plants: result.plants }),
      });
    }
  } finally {
    kb.close();
  }
  ctx.io.out(ctx.json ? JSON.stringify(result, null, 2) : renderBench(result));
  return 0;
}
