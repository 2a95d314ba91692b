/** The static rung: deterministic local heuristics that answer with the forensic JSON verdict, as a model would. */
import type { RuleId } from "../../domain/rules";
import { scanShard } from "../static/scan";
import type { Completion, CompletionRequest, ProbeResult, Provider } from "./provider";

export interface StaticProviderOptions {
  /** Clock for latencyMs; injected so tests can pin it. */
  now?: () => number;
  /** `[static] raise`: rules reported at the severity they claim instead of the one they earned. */
  raise?: readonly RuleId[];
}

/**
 * Reads `request.shard` (the raw shard), not the prompt. The answer goes through the same acceptance as a model's,
 * so it is pretty-printed JSON (2-space indent) and always carries a verdict and at least one finding or action.
 */
export class StaticProvider implements Provider {
  readonly kind = "static" as const;
  readonly model = "static-heuristics";
  private readonly now: () => number;
  private readonly raise: readonly RuleId[];

  constructor(options: StaticProviderOptions = {}) {
    this.now = options.now ?? (() => performance.now());
    this.raise = options.raise ?? [];
  }

  async complete(request: CompletionRequest, signal: AbortSignal): Promise<Completion> {
    if (!request.shard) {
      throw new Error(
        "static provider: request.shard is missing; the static rung reads the raw shard (path, language, lineStart, text), so the caller must pass it with every request",
      );
    }
    signal.throwIfAborted();
    const started = this.now();
    const text = JSON.stringify(await scanShard(request.shard, { raise: this.raise }), null, 2);
    return { text, tokensIn: 0, tokensOut: 0, latencyMs: Math.round(this.now() - started), server: "local" };
  }

  async probe(_signal: AbortSignal): Promise<ProbeResult[]> {
    return [{ server: "local", reachable: true, modelPresent: true, detail: "built-in heuristics" }];
  }
}
