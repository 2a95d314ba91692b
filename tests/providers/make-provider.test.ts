/** The factory: a rung's config becomes a Provider of the right kind over all of its servers. */
import { expect, test } from "bun:test";
import { STATIC_RUNG } from "../../pipeline/config/config";
import { makeProvider } from "../../pipeline/providers/make-provider";
import { testRung } from "./fixtures";

test("ollama and openai rungs become providers over every configured server", async () => {
  const ollama = makeProvider(testRung("ollama", ["http://127.0.0.1:9", "http://127.0.0.1:10"], { model: "qwen2.5-coder:7b", timeoutMs: 500 }));
  expect([ollama.kind, ollama.model]).toEqual(["ollama", "qwen2.5-coder:7b"]);
  const probes = await ollama.probe(new AbortController().signal);
  expect(probes.map((p) => [p.server, p.reachable])).toEqual([
    ["http://127.0.0.1:9", false],
    ["http://127.0.0.1:10", false],
  ]);
  const openai = makeProvider(testRung("openai", ["http://127.0.0.1:9/v1"], { model: "gpt-oss:120b" }));
  expect([openai.kind, openai.model]).toEqual(["openai", "gpt-oss:120b"]);
});

test("a static rung is refused with a pointer to the static provider module", () => {
  expect(() => makeProvider(STATIC_RUNG)).toThrow(/static provider module/);
});
