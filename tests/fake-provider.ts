/** A fake Provider for unit tests: implements the real interface, answers from a script, records every call. */
import { ProviderError } from "../domain/errors";
import type { Completion, CompletionRequest, ProbeResult, Provider } from "../pipeline/providers/provider";

export type Scripted = string | ProviderError | ((request: CompletionRequest) => string | Promise<string>);

export class FakeProvider implements Provider {
  readonly kind = "ollama" as const;
  readonly calls: CompletionRequest[] = [];
  constructor(
    readonly model: string,
    private readonly script: Scripted[],
    private readonly reachable = true,
  ) {}

  async complete(request: CompletionRequest, signal: AbortSignal): Promise<Completion> {
    signal.throwIfAborted();
    const step = this.script[Math.min(this.calls.length, this.script.length - 1)];
    this.calls.push(request);
    if (step === undefined) throw new Error("FakeProvider: empty script");
    if (step instanceof ProviderError) throw step;
    const text = typeof step === "function" ? await step(request) : step;
    return { text, tokensIn: Math.ceil(request.prompt.length / 4), tokensOut: Math.ceil(text.length / 4), latencyMs: 3, server: "fake" };
  }

  async probe(): Promise<ProbeResult[]> {
    return [{ server: "fake", reachable: this.reachable, modelPresent: this.reachable, detail: this.reachable ? "ok" : "connection refused" }];
  }
}

/** A forensic verdict answer (pretty JSON, over 200 chars) quoting `evidence` at `line`. */
export function goodAnswer(evidence: string, line: number, verdict: "pass" | "needs_patch" | "fail" = "needs_patch"): string {
  return JSON.stringify(
    {
      verdict,
      alignment_score: 6.5,
      summary: "The shard is mostly wired, but one function is a stub that returns nothing useful.",
      critical_failures: [],
      pseudocode_flags: verdict === "pass" ? [] : [{ title: "stubbed function", evidence, line_start: line, line_end: line, severity: "high", confidence: 90 }],
      prd_mismatches: [],
      broken_pipelines: [],
      missing_components: [],
      risk_points: [],
      verified_components: [{ title: "code present", evidence, line_start: line, line_end: line, severity: "low", confidence: 80 }],
      required_next_actions: [{ action: "Implement the stub", priority: "high", confidence: 85 }],
    },
    null,
    2,
  );
}
