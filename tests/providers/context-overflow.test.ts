/** Context-overflow refusals as real servers word them, told apart from other failures. */
import { describe, expect, test } from "bun:test";
import { readOverflow } from "../../pipeline/providers/context-overflow";

describe("a refusal for a request longer than the window", () => {
  test.each([
    [
      "vLLM / OpenAI, prompt plus completion",
      400,
      "This model's maximum context length is 4096 tokens. However, you requested 5120 tokens (4096 in the messages, 1024 in the completion). Please reduce the length of the messages or completion.",
      { window: 4096, requestedTokens: 5120 },
    ],
    ["OpenAI, messages alone", 400, "This model's maximum context length is 128000 tokens. However, your messages resulted in 131072 tokens. Please reduce the length of the messages.", { window: 128000, requestedTokens: 131072 }],
    [
      "vLLM 0.8+, max_tokens too large",
      400,
      "'max_tokens' or 'max_completion_tokens' is too large: 2048. This model's maximum context length is 8192 tokens and your request has 7000 input tokens (2048 > 8192 - 7000).",
      { window: 8192, requestedTokens: 7000 },
    ],
    ["vLLM, prompt check", 400, "The decoder prompt (length 9000) is longer than the maximum model length of 8192. Make sure that `max_model_len` is no smaller than the number of text tokens.", { window: 8192, requestedTokens: 9000 }],
    ["llama.cpp server", 400, 'the request exceeds the available context size, try increasing it exceed_context_size_error {"code":400,"n_prompt_tokens":5000,"n_ctx":4096}', { window: 4096, requestedTokens: 5000 }],
    ["LiteLLM", 400, "litellm.ContextWindowExceededError: litellm.BadRequestError: context window exceeded for model qwen", {}],
    ["an OpenAI error code alone", 400, "Invalid request context_length_exceeded invalid_request_error", {}],
    ["an Anthropic-style proxy", 400, "prompt is too long: 210000 tokens > 200000 maximum", { window: 200000, requestedTokens: 210000 }],
    ["a 413 from a proxy", 413, "input length exceeds the context length", {}],
  ] as const)("%s", (_name, status, text, expected) => {
    expect(readOverflow(status, text)).toEqual(expected);
  });
});

describe("other failures are not overflows", () => {
  test.each([
    ["a schema error", 400, "response_format json_schema is not supported by this model"],
    ["an unknown model", 404, "model 'qwen' not found, try pulling it first"],
    ["a server error that mentions the context", 500, "CUDA out of memory while allocating the context window exceeded buffer"],
    ["a rate limit", 429, "Rate limit reached for tokens per min"],
    ["no status (a network failure)", undefined, "maximum context length"],
  ] as const)("%s", (_name, status, text) => {
    expect(readOverflow(status, text)).toBeNull();
  });
});
