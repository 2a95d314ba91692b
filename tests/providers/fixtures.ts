/** Shared inputs for the provider and sim-server tests: rungs, real shard prompts from fixture files, a dead port. */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { RungConfig } from "../../pipeline/config/config";
import { ProviderError } from "../../domain/errors";
import { buildShardPrompt } from "../../pipeline/review/prompt";

export const SIM_FIXTURES = resolve(import.meta.dir, "../fixtures/sim");

export function fixtureText(name: string): string {
  return readFileSync(resolve(SIM_FIXTURES, name), "utf8");
}

/** A rung as loadConfig would build it, with small timeouts for tests. */
export function testRung(provider: "ollama" | "openai", servers: string[], overrides: Partial<RungConfig> = {}): RungConfig {
  return {
    name: `${provider}-test`,
    provider,
    model: "sim-model",
    servers,
    concurrency: 2,
    timeoutMs: 2_000,
    retries: 0,
    structured: false,
    cloud: false,
    costInPerMtok: 0,
    costOutPerMtok: 0,
    ...overrides,
  };
}

export interface ShardFixture {
  prompt: string;
  /** The file's lines, 1-based access via lines[n - 1]. */
  lines: string[];
  lineStart: number;
  lineEnd: number;
}

/** The real review prompt (pipeline/review/prompt.ts) for lines lineStart..lineEnd of a fixture file. */
export function shardPrompt(name: string, lineStart = 1, lineEnd?: number, preamble = ""): ShardFixture {
  const lines = fixtureText(name).replace(/\n$/, "").split("\n");
  const end = lineEnd ?? lines.length;
  const text = lines.slice(lineStart - 1, end).join("\n");
  const language = { rs: "rust", ts: "typescript", py: "python", go: "go" }[name.split(".").pop() ?? ""] ?? "text";
  const prompt = buildShardPrompt({
    path: `src/${name}`,
    language,
    shard: { index: lineStart === 1 ? 0 : 1, lineStart, lineEnd: end, text, chars: text.length, symbols: [], splitInside: false, preamble },
    shardCount: lineStart === 1 && end === lines.length ? 1 : 2,
    notes: [],
  });
  return { prompt, lines, lineStart, lineEnd: end };
}

/** 1-based line numbers of the lines containing `needle`. */
export function linesWith(lines: string[], needle: string): number[] {
  return lines.flatMap((l, i) => (l.includes(needle) ? [i + 1] : []));
}

/** A port nothing listens on: bound once, then released. */
export async function closedPort(): Promise<string> {
  const s = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
  const url = `http://127.0.0.1:${s.port}`;
  await s.stop(true);
  return url;
}

export const SYSTEM = "You are a forensic code auditor. Answer with the forensic JSON verdict.";

/** The ProviderError a call fails with; fails the test if the call succeeds or throws something else. */
export async function failureOf(call: Promise<unknown>): Promise<ProviderError> {
  try {
    await call;
  } catch (e) {
    if (e instanceof ProviderError) return e;
    throw new Error(`expected a ProviderError, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  }
  throw new Error("expected the call to fail, but it succeeded");
}
