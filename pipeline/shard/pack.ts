/** Packing: group contiguous pieces into as few shards as fit, cutting where it hurts least. */
import type { LineIndex, Piece, Split } from "./pieces";

// Costs of a packing, compared as one number. A shard costs the most, so the packer first
// minimises the shard count. Cutting an item that would fit in one shard, or cutting before a
// piece that shares its first line with the previous item (that splits the code on that line,
// often a callback's first line), costs more than a shard. Other cuts cost more the deeper they are.
const SHARD_COST = 100;
const FITTING_CUT_COST = 150;
const JOINED_CUT_COST = 150;
const DEPTH_CUT_COST = 2;
const BALANCE_COST = 10;

/**
 * Group `pieces` into runs of at most `maxChars` characters (a single larger piece stands alone).
 * Returns [first, last] piece indexes per shard. Among packings with the fewest shards it prefers
 * shallow cuts and even sizes (dynamic programming over cut points).
 */
export function packPieces(pieces: Piece[], index: LineIndex, maxChars: number): Array<[number, number]> {
  const n = pieces.length;
  const cost = new Float64Array(n + 1).fill(Infinity);
  const from = new Int32Array(n + 1);
  cost[0] = 0;
  for (let i = 1; i <= n; i++) {
    const last = pieces[i - 1] as Piece;
    for (let j = i - 1; j >= 0; j--) {
      const size = index.chars((pieces[j] as Piece).start, last.end);
      if (size > maxChars && j < i - 1) break;
      const fill = Math.min(size / maxChars, 1);
      const c = (cost[j] as number) + SHARD_COST + cutCost(pieces, j) + BALANCE_COST * fill * fill;
      if (c < (cost[i] as number)) {
        cost[i] = c;
        from[i] = j;
      }
    }
  }
  const runs: Array<[number, number]> = [];
  for (let i = n; i > 0; i = from[i] as number) runs.push([from[i] as number, i - 1]);
  return runs.reverse();
}

/** The cost of a shard boundary just before piece j: it cuts every split the pieces on both sides are in. */
function cutCost(pieces: Piece[], j: number): number {
  if (j === 0) return 0;
  const before = (pieces[j - 1] as Piece).path;
  const after = pieces[j] as Piece;
  let cost = after.joined ? JOINED_CUT_COST : 0;
  for (let k = 0; k < before.length && k < after.path.length; k++) {
    const split = before[k] as Split;
    if (split !== after.path[k]) break;
    cost += split.fits ? FITTING_CUT_COST : DEPTH_CUT_COST;
  }
  return cost;
}
