import { describe, expect, test } from "bun:test";
import type { RungConfig, StructuredShape } from "../../pipeline/config/config";
import { ProviderError } from "../../domain/errors";
import { completeAdapted, type SendShaped } from "../../pipeline/providers/adapt";
import type { Completion, CompletionRequest } from "../../pipeline/providers/provider";
import { formatRefused, TraitBook, type LearntTrait } from "../../pipeline/providers/traits";

const rung: RungConfig = {
  name: "tiny", provider: "openai", model: "smol", servers: ["http://s/v1"], concurrency: 1, timeoutMs: 10_000, retries: 0,
  structured: true, cloud: false, costInPerMtok: 0, costOutPerMtok: 0, contextTokens: 8192,
};
const request: CompletionRequest = { system: "You review code. ".repeat(100), prompt: "def f():\n    pass\n".repeat(20), schema: { type: "object" } };
const LLAMA_500 = "rung x: HTTP 500: 1 validation error: {'loc': ('body', 'response_format', 'type'), 'msg': \"Input should be 'text' or 'json_object'\"}";

function answer(extra: Partial<Completion> = {}): Completion {
  return { text: "{}", tokensIn: 900, tokensOut: 10, latencyMs: 5, promptTokens: 900, ...extra };
}

/** A fake server: refuses the shapes in `refuses`, reads `read(systemRole)` prompt tokens; records every call. */
function fakeServer(refuses: StructuredShape[], read: (systemRole: boolean) => number = () => 900) {
  const calls: { shape: StructuredShape; systemRole: boolean }[] = [];
  const send: SendShaped = async (_r, shape, systemRole) => {
    calls.push({ shape, systemRole });
    if (refuses.includes(shape)) throw new ProviderError("http", LLAMA_500, { status: 500 });
    return answer({ promptTokens: read(systemRole), tokensIn: read(systemRole) });
  };
  return { calls, send };
}

function setup(r: RungConfig = rung) {
  const learnt: LearntTrait[] = [];
  const traits = new TraitBook((l) => learnt.push(l));
  return { learnt, traits, options: { server: "http://s/v1", rung: r, where: "rung tiny", traits, now: () => 0, sleep: async () => {} } };
}

describe("request shapes", () => {
  test("auto falls back from json_schema to json_object once on llama.cpp's 500, remembers it, and the next call starts there", async () => {
    const { learnt, options } = setup();
    const server = fakeServer(["json_schema"]);
    const first = await completeAdapted(options, request, AbortSignal.timeout(1000), server.send);
    expect(first.text).toBe("{}");
    expect(server.calls.map((c) => c.shape)).toEqual(["json_schema", "json_object"]);
    expect(learnt.filter((l) => l.trait === "shape").map((l) => l.value)).toEqual(["json_object"]);
    expect(learnt[0]!.reason).toContain("json_schema");
    await completeAdapted(options, request, AbortSignal.timeout(1000), server.send);
    expect(server.calls.map((c) => c.shape)).toEqual(["json_schema", "json_object", "json_object"]);
  });

  test("a configured shape the server refuses is an invalid answer naming the setting, never a server fault to retry", async () => {
    const { options } = setup({ ...rung, shape: "json_schema" });
    const server = fakeServer(["json_schema"]);
    const error = await completeAdapted(options, request, AbortSignal.timeout(1000), server.send).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).kind).toBe("invalid");
    expect((error as ProviderError).message).toContain('structured = "auto"');
    expect(server.calls).toHaveLength(1);
  });

  test("a 500 about something else is not a format refusal: it reaches the caller as it was", async () => {
    const { options } = setup();
    const send: SendShaped = async () => {
      throw new ProviderError("http", "rung x: HTTP 500: CUDA out of memory", { status: 500 });
    };
    const error = (await completeAdapted(options, request, AbortSignal.timeout(1000), send).catch((e: unknown) => e)) as ProviderError;
    expect(error.kind).toBe("http");
    expect(error.status).toBe(500);
  });

  test.each([
    [500, LLAMA_500, true],
    [400, "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.", true],
    [400, "'response_format.type' must be 'json_schema'", true],
    [400, "This model's maximum context length is 2048 tokens", false],
    [500, "internal error", false],
    [404, "model not found", false],
  ])("formatRefused(%d, %s) = %p", (status, text, expected) => {
    expect(formatRefused(status, text)).toBe(expected);
  });
});

describe("system role", () => {
  test("a template that drops the system message is detected by the tokens read, remembered, and the merged answer used", async () => {
    const { learnt, options } = setup();
    // Gemma-style: the system message is not read at all; merged into the user message it is.
    const server = fakeServer([], (systemRole) => (systemRole ? 150 : 900));
    const got = await completeAdapted(options, request, AbortSignal.timeout(1000), server.send);
    expect(server.calls.map((c) => c.systemRole)).toEqual([true, false]);
    expect(got.promptTokens).toBe(900);
    expect(got.tokensIn).toBe(1050);
    expect(learnt.find((l) => l.trait === "systemRole")?.value).toBe("false");
    await completeAdapted(options, request, AbortSignal.timeout(1000), server.send);
    expect(server.calls.map((c) => c.systemRole)).toEqual([true, false, false]);
  });

  test("a server that reads the whole prompt keeps the system role and is not asked twice", async () => {
    const { learnt, options } = setup();
    const server = fakeServer([], () => 900);
    await completeAdapted(options, request, AbortSignal.timeout(1000), server.send);
    expect(server.calls).toHaveLength(1);
    expect(learnt.find((l) => l.trait === "systemRole")?.value).toBe("true");
  });

  test("system_role = false sends one user message from the first call", async () => {
    const { options } = setup({ ...rung, systemRole: false });
    const server = fakeServer([]);
    await completeAdapted(options, request, AbortSignal.timeout(1000), server.send);
    expect(server.calls).toEqual([{ shape: "json_schema", systemRole: false }]);
  });
});

describe("numeric bounds of a json_schema", () => {
  const OPENAI_400 = "rung x: HTTP 400: Invalid schema for response_format 'forensic_verdict': In context=('properties', 'alignment_score'), 'minimum' is not permitted.";

  test("a refusal naming a bound sends the same shape again without bounds, for the rest of the process, learning no shape", async () => {
    const { learnt, traits, options } = setup();
    const calls: { shape: StructuredShape; bounds: boolean }[] = [];
    const send: SendShaped = async (_r, shape, _s, _signal, bounds) => {
      calls.push({ shape, bounds });
      if (bounds) throw new ProviderError("http", OPENAI_400, { status: 400 });
      return answer();
    };
    await completeAdapted(options, request, AbortSignal.timeout(1000), send);
    await completeAdapted(options, request, AbortSignal.timeout(1000), send);
    expect(calls).toEqual([
      { shape: "json_schema", bounds: true },
      { shape: "json_schema", bounds: false },
      { shape: "json_schema", bounds: false },
    ]);
    expect(learnt.filter((l) => l.trait === "shape").map((l) => l.value)).toEqual(["json_schema"]);
    expect(traits.boundsRefused("http://s/v1", "smol")).toBe(true);
  });

  test("a configured json_schema is kept when only its bounds are refused", async () => {
    const { options } = setup({ ...rung, shape: "json_schema" });
    const calls: boolean[] = [];
    const send: SendShaped = async (_r, _shape, _s, _signal, bounds) => {
      calls.push(bounds);
      if (bounds) throw new ProviderError("http", OPENAI_400, { status: 400 });
      return answer();
    };
    expect((await completeAdapted(options, request, AbortSignal.timeout(1000), send)).text).toBe("{}");
    expect(calls).toEqual([true, false]);
  });

  test("a refusal of the shape itself (llama.cpp's 500) goes to the next shape at once, not through a bound-less retry", async () => {
    const { options } = setup();
    const server = fakeServer(["json_schema"]);
    await completeAdapted(options, request, AbortSignal.timeout(1000), server.send);
    expect(server.calls.map((c) => c.shape)).toEqual(["json_schema", "json_object"]);
  });
});

describe("loading and windows", () => {
  test("a model still loading (503) is waited for within the timeout, then answers", async () => {
    const { options } = setup();
    let n = 0;
    const send: SendShaped = async () => {
      if (n++ < 2) throw new ProviderError("http", "rung x: HTTP 503: Loading model", { status: 503 });
      return answer();
    };
    const got = await completeAdapted(options, request, AbortSignal.timeout(1000), send);
    expect(n).toBe(3);
    expect(got.text).toBe("{}");
  });

  test("a window named by an overflow error is learnt", async () => {
    const { learnt, options } = setup();
    const send: SendShaped = async () => {
      throw new ProviderError("context_overflow", "overflow", { status: 400, window: 2048 });
    };
    await completeAdapted(options, request, AbortSignal.timeout(1000), send).catch(() => {});
    expect(learnt).toContainEqual(expect.objectContaining({ trait: "window", value: "2048" }));
  });
});
