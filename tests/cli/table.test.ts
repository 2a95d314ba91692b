import { describe, expect, test } from "bun:test";
import { clipWords } from "../../pipeline/cli/table";

describe("clipWords", () => {
  test("a long reason is cut at a word boundary with an ellipsis, never mid-word", () => {
    const reason = "window too small: the request needs ~3370 tokens (~2346 prompt + 1024 reserved for the answer) and context_tokens is 2048";
    const clipped = clipWords(reason, 100);
    expect(clipped.length).toBeLessThanOrEqual(100);
    expect(clipped.endsWith("…")).toBe(true);
    expect(reason.startsWith(clipped.slice(0, -1))).toBe(true);
    expect(reason[clipped.length - 1]).toBe(" ");
  });

  test("a short reason is kept whole", () => {
    expect(clipWords("empty answer", 100)).toBe("empty answer");
  });
});
