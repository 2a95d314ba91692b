/** The packer: fewest shards first, then the cheapest cuts, then even sizes. */
import { describe, expect, test } from "bun:test";
import { packPieces } from "../../pipeline/shard/pack";
import { LineIndex, type Piece, type Split } from "../../pipeline/shard/pieces";

/** One piece per line, each line 9 characters (10 with its newline). */
function pieces(count: number, extra: (i: number) => Partial<Piece> = () => ({})): { index: LineIndex; pieces: Piece[] } {
  const index = new LineIndex(Array.from({ length: count }, (_, i) => `line ${String(i + 1).padStart(4, "0")}`));
  return { index, pieces: Array.from({ length: count }, (_, i) => ({ start: i + 1, end: i + 1, symbols: [], path: [], context: [], joined: false, ...extra(i) })) };
}

describe("packPieces", () => {
  test("uses as few shards as fit, and balances them", () => {
    const { index, pieces: all } = pieces(10);
    // 49 chars hold 5 lines: 10 lines need 2 shards, 5 + 5 rather than 4 + 6 or 5 + 5 in another order.
    expect(packPieces(all, index, 49)).toEqual([[0, 4], [5, 9]]);
    // 69 chars hold 7 lines: still 2 shards, and even (5 + 5) rather than greedy (7 + 3).
    expect(packPieces(all, index, 69)).toEqual([[0, 4], [5, 9]]);
  });

  test("a piece larger than the limit stands alone", () => {
    const { index, pieces: all } = pieces(3);
    expect(packPieces(all, index, 5)).toEqual([[0, 0], [1, 1], [2, 2]]);
  });

  test("does not cut a split that would fit in one shard, when another cut gives as many shards", () => {
    const fits: Split = { key: "3:0", fits: true, inside: true };
    const { index, pieces: all } = pieces(10, (i) => (i >= 2 && i <= 5 ? { path: [fits] } : {}));
    const runs = packPieces(all, index, 69);
    expect(runs).toHaveLength(2);
    // Lines 3..6 (pieces 2..5) stay in one shard.
    expect(runs.some(([a, b]) => a <= 2 && b >= 5)).toBe(true);
  });

  test("avoids cutting before a piece that shares its first line with the previous one", () => {
    const { index, pieces: all } = pieces(10, (i) => (i === 5 ? { joined: true } : {}));
    expect(packPieces(all, index, 69)).not.toContainEqual([5, 9]);
  });
});
