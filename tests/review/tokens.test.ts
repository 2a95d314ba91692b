/** Token estimates before sending, and the truncation read from the server's own count afterwards. */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { RungConfig } from "../../pipeline/config/config";
import {
  CHARS_PER_TOKEN,
  DEFAULT_RESERVED_OUTPUT_TOKENS,
  type TokenEstimate,
  countByChars,
  estimateRequest,
  tokenMethodFor,
  truncationReason,
  windowShortfall,
} from "../../pipeline/review/tokens";
import { shardSchemaForFormat } from "../../pipeline/verdict/verdict";
import { shardPrompt, testRung } from "../providers/fixtures";

const SYSTEM = readFileSync(resolve(import.meta.dir, "../../prompts/forensic.md"), "utf8");

describe("the tokenizer of a model", () => {
  test.each([
    ["gpt-4o", "o200k_base"],
    ["gpt-4o-mini-2024-07-18", "o200k_base"],
    ["openai/gpt-4.1", "o200k_base"],
    ["gpt-5-mini", "o200k_base"],
    ["gpt-oss:120b", "o200k_base"],
    ["o3-mini", "o200k_base"],
    ["o1", "o200k_base"],
    ["gpt-4-turbo", "cl100k_base"],
    ["gpt-3.5-turbo", "cl100k_base"],
    ["qwen2.5-coder:7b", "chars"],
    ["llama3.1:8b", "chars"],
    ["deepseek-coder-v2", "chars"],
    ["ollama3", "chars"],
    ["mistral-large", "chars"],
  ] as const)("%s → %s", (model, method) => {
    expect(tokenMethodFor(model)).toBe(method);
  });
});

describe("the conservative rule", () => {
  test.each([
    ["", 0],
    ["fn main() {}", Math.ceil(12 / CHARS_PER_TOKEN)],
    ["let café = 1;", Math.ceil(12 / CHARS_PER_TOKEN) + 1],
    ["// 日本語のコメント", Math.ceil(3 / CHARS_PER_TOKEN) + 8],
    // A code point outside the BMP is one token, not one per UTF-16 unit; a lone surrogate is one of its own.
    ["ok 😀👍", Math.ceil(3 / CHARS_PER_TOKEN) + 2],
    ["a\ud800b\udc00", Math.ceil(2 / CHARS_PER_TOKEN) + 2],
    ["\udc00\ud800", 2],
    ["x\ud83d", Math.ceil(1 / CHARS_PER_TOKEN) + 1],
  ])("%j → %d tokens", (text, n) => {
    expect(countByChars(text)).toBe(n);
  });

  test("it counts more than a real BPE tokenizer does on real code (it must not under-count)", async () => {
    const { countTokens } = await import("gpt-tokenizer/encoding/o200k_base");
    for (const file of ["pipeline/review/ladder.ts", "prompts/forensic.md", "examples/demo-repo/src/auth.rs", "examples/demo-repo/src/report.py"]) {
      const text = readFileSync(resolve(import.meta.dir, "../..", file), "utf8");
      expect(countByChars(text)).toBeGreaterThan(countTokens(text));
    }
  });
});

describe("a request's estimate", () => {
  const shard = shardPrompt("ledger.rs");
  const request = { system: SYSTEM, prompt: shard.prompt };

  test("an unknown family: system + prompt by the chars rule, plus template tokens, plus the default answer room", async () => {
    const e = await estimateRequest(request, testRung("ollama", ["http://x"], { model: "qwen2.5-coder:7b" }));
    const text = countByChars(SYSTEM) + countByChars(shard.prompt);
    expect(e.method).toBe("chars");
    expect(e.prompt).toBeGreaterThan(text);
    expect(e.prompt).toBeLessThan(text + 40);
    expect(e.output).toBe(DEFAULT_RESERVED_OUTPUT_TOKENS);
    expect(e.total).toBe(e.prompt + e.output);
  });

  test("max_output_tokens is the room kept for the answer", async () => {
    const e = await estimateRequest(request, testRung("ollama", ["http://x"], { maxOutputTokens: 3000 }));
    expect(e.output).toBe(3000);
  });

  test("an OpenAI family is counted with its tokenizer: fewer tokens than the rule, and the same every time", async () => {
    const rung = testRung("openai", ["http://x"], { model: "gpt-4o-mini" });
    const exact = await estimateRequest(request, rung);
    const rule = await estimateRequest(request, testRung("openai", ["http://x"], { model: "local-model" }));
    expect(exact.method).toBe("o200k_base");
    expect(exact.prompt).toBeLessThan(rule.prompt);
    expect((await estimateRequest(request, rung)).prompt).toBe(exact.prompt);
  });

  test("a system prompt counted before is not taken for another one: each change of system prompt is counted anew", async () => {
    const rung = testRung("ollama", ["http://x"]);
    const first = await estimateRequest(request, rung);
    const system = `${SYSTEM}\n${"More rules. ".repeat(100)}`;
    const longer = await estimateRequest({ ...request, system }, rung);
    expect(longer.prompt - first.prompt).toBe(countByChars(system) - countByChars(SYSTEM));
    expect((await estimateRequest(request, rung)).prompt).toBe(first.prompt);
  });

  test("the json_schema goes into an OpenAI-compatible prompt, not into Ollama's (its format is a grammar)", async () => {
    const schema = shardSchemaForFormat();
    const openai = testRung("openai", ["http://x"]);
    const ollama = testRung("ollama", ["http://x"]);
    expect((await estimateRequest({ ...request, schema }, openai)).prompt).toBeGreaterThan((await estimateRequest(request, openai)).prompt + 100);
    expect((await estimateRequest({ ...request, schema }, ollama)).prompt).toBe((await estimateRequest(request, ollama)).prompt);
  });

  test("a special token in audited code is text to count, not an error", async () => {
    const e = await estimateRequest({ system: "", prompt: "const s = '<|endoftext|><|im_start|>';" }, testRung("openai", ["http://x"], { model: "gpt-4o" }));
    expect(e.prompt).toBeGreaterThan(10);
  });
});

describe("whether a rung's window holds it", () => {
  const estimate: TokenEstimate = { prompt: 3000, output: 1024, total: 4024, method: "chars" };
  test.each([
    [{ contextTokens: 8192 }, null],
    [{ contextTokens: 4024 }, null],
    [{ contextTokens: 4023 }, "the request needs ~4024 tokens (~3000 prompt + 1024 reserved for the answer) and context_tokens is 4023"],
    [{}, null],
  ] as [Partial<RungConfig>, string | null][])("%j → %s", (over, reason) => {
    expect(windowShortfall(estimate, testRung("ollama", ["http://x"], over))).toBe(reason);
  });
});

describe("truncation read from the server's answer", () => {
  const chars: TokenEstimate = { prompt: 4000, output: 1024, total: 5024, method: "chars" };
  const exact: TokenEstimate = { prompt: 4000, output: 1024, total: 5024, method: "o200k_base" };
  test.each([
    ["a full read by a denser-than-rule count", chars, { promptTokens: 3100, tokensOut: 400, finishReason: "stop" }, 8192, null],
    ["the server did not report a count", chars, { tokensOut: 400 }, 8192, null],
    ["a count below half the rule's estimate", chars, { promptTokens: 1900, tokensOut: 400 }, 8192, "prompt truncated by the server (1900 of ~4000 tokens read)"],
    ["the count filled the window the call asked for", chars, { promptTokens: 4096, tokensOut: 12, window: 4096 }, 8192, "prompt truncated by the server (4096 of ~4000 tokens read)"],
    ["the count at the rung's window", chars, { promptTokens: 8190, tokensOut: 12 }, 8192, "prompt truncated by the server (8190 of ~4000 tokens read)"],
    ["an exact tokenizer: 80% read is a cut", exact, { promptTokens: 3200, tokensOut: 400 }, 32768, "prompt truncated by the server (3200 of ~4000 tokens read)"],
    ["an exact tokenizer: a full read", exact, { promptTokens: 4010, tokensOut: 400 }, 32768, null],
    ["the count stops at a server's own window (num_ctx ignored) though the rule's count is near", chars, { promptTokens: 2048, tokensOut: 300 }, 8192, "prompt truncated by the server (2048 of ~4000 tokens read: the count stops at 2048, a window the server runs with whatever num_ctx asked)"],
    ["exactly a power of two, with no window configured", { ...chars, prompt: 6500 }, { promptTokens: 4096, tokensOut: 300 }, undefined, "prompt truncated by the server (4096 of ~6500 tokens read: the count stops at 4096, a window the server runs with whatever num_ctx asked)"],
    ["a whole prompt a token under a power of two (shard prompts cluster)", { ...chars, prompt: 2750 }, { promptTokens: 2047, tokensOut: 300 }, 4096, null],
    ["a whole prompt of exactly a power of two, at the chars rule's usual over-count", { ...chars, prompt: 2750 }, { promptTokens: 2048, tokensOut: 300 }, 4096, null],
    ["a whole read that happens to end near a power of two, our count no longer", { ...chars, prompt: 4000 }, { promptTokens: 4090, tokensOut: 300 }, 32768, null],
    ["a small prompt near 512 is no server window", { ...chars, prompt: 700 }, { promptTokens: 510, tokensOut: 300 }, 8192, null],
    ["max_output_tokens cut the answer", chars, { promptTokens: 3100, tokensOut: 1024, finishReason: "length" }, 8192, 'answer cut off by max_output_tokens after 1024 tokens (finish reason "length"); raise max_output_tokens (now 1024) if the window has room for it'],
    ["the configured window stopped the answer", chars, { promptTokens: 3100, tokensOut: 992, finishReason: "length" }, 4096, "answer stopped at the server's window of 4096 tokens (prompt 3100 + answer 992; max_output_tokens = 1024 not reached): use a smaller max_shard_chars or a rung with a larger window"],
    // llama-cpp-python with --n_ctx 2560, context_tokens unset: measured on the real server (prompt 2033 + answer 527).
    ["a server window smaller than context_tokens stopped the answer", chars, { promptTokens: 2033, tokensOut: 527, finishReason: "length" }, 32768, "answer stopped at the server's window of 2560 tokens (prompt 2033 + answer 527; max_output_tokens = 1024 not reached): use a smaller max_shard_chars or a rung with a larger window; context_tokens = 32768 overstates it, set context_tokens = 2560"],
    ["an output cap of the server's own", chars, { promptTokens: 3100, tokensOut: 30, finishReason: "length" }, 8192, "answer stopped after 30 tokens by the server (prompt 3100 + answer 30 = 3130 tokens; neither max_output_tokens = 1024 nor context_tokens = 8192 reached): a window of 3130 tokens on the server (llama.cpp --n_ctx) or an output cap of its own (a proxy's max_tokens) ended it; set context_tokens to the server's window and use a smaller max_shard_chars, or raise the server's cap"],
    ["no prompt count to tell", chars, { tokensOut: 300, finishReason: "length" }, 8192, 'answer stopped after 300 tokens, below max_output_tokens = 1024 (finish reason "length"): the server\'s window or an output cap of its own ended it; use a smaller max_shard_chars or a rung with a larger window'],
  ] as const)("%s", (_name, estimate, completion, window, reason) => {
    expect(truncationReason(completion, estimate, window)).toBe(reason);
  });
});
