/** Line bookkeeping: what a line is, and the coverage invariant every plan is checked against. */
import { describe, expect, test } from "bun:test";
import { assertCoverage, makeShard, splitLines } from "../../pipeline/shard/lines";
import { blankLineBlocks, LineIndex } from "../../pipeline/shard/pieces";

describe("splitLines", () => {
  test.each([
    ["", []],
    ["a", ["a"]],
    ["a\n", ["a"]],
    ["a\r\nb\r\n", ["a", "b"]],
    ["a\n\nb", ["a", "", "b"]],
    ["a\r\n\r\n", ["a", ""]],
    ["a\rb\n", ["a\rb"]], // a lone CR ends no line, for us as for tree-sitter
  ] as Array<[string, string[]]>)("%j", (text, lines) => {
    expect(splitLines(text)).toEqual(lines);
  });
});

describe("assertCoverage", () => {
  const lines = ["a", "b", "c", "d"];
  const plan = (...ranges: Array<[number, number]>) => ranges.map(([a, b], i) => makeShard(lines, i, a, b));

  test("accepts ordered, contiguous shards covering every line", () => {
    expect(() => assertCoverage("f", plan([1, 2], [3, 4]), 4)).not.toThrow();
  });

  test.each([
    ["a gap", [[1, 1], [3, 4]], "shard 1 starts at line 3, expected 2"],
    ["an overlap", [[1, 2], [2, 4]], "shard 1 starts at line 2, expected 3"],
    ["a missing tail", [[1, 2]], "shards end at line 2, file has 4"],
  ] as Array<[string, Array<[number, number]>, string]>)("rejects %s", (_, ranges, message) => {
    expect(() => assertCoverage("f.rs", plan(...ranges), 4)).toThrow(message);
  });
});

describe("LineIndex and blank-line blocks", () => {
  test("chars counts a range as its lines joined with newlines", () => {
    const index = new LineIndex(["ab", "", "cde"]);
    expect(index.chars(1, 3)).toBe("ab\n\ncde".length);
    expect(index.chars(3, 3)).toBe(3);
    expect(index.chars(2, 1)).toBe(0);
  });

  test("blocks keep their trailing blank lines and cover the range exactly", () => {
    const index = new LineIndex(["", "a", "b", "", "", "c", "", "d"]);
    expect(blankLineBlocks(index, 1, 8)).toEqual([[1, 5], [6, 7], [8, 8]]);
    expect(blankLineBlocks(index, 1, 8, (n) => n !== 6)).toEqual([[1, 7], [8, 8]]);
  });
});
