import { describe, expect, test } from "bun:test";
import { assignShares, parsePartition, shareFiles, sharePlan, splitDigest, splitInput, type SplitInput } from "../../pipeline/run/partition";

const PATHS = Array.from({ length: 40 }, (_, i) => `src/mod${String(i).padStart(2, "0")}/file${i % 7}.ts`);
const SIZE = (p: string) => 100 + ((p.length * 7919) % 5000);

function everyShare(input: SplitInput): string[][] {
  return Array.from({ length: input.count }, (_, i) => shareFiles(input, i + 1));
}

describe("parsePartition", () => {
  test.each([["1/1", 1, 1], ["2/4", 2, 4], [" 3/3 ", 3, 3], ["1000/1000", 1000, 1000]])("%s", (text, index, count) => {
    expect(parsePartition(text)).toEqual({ index, count });
  });
  test.each(["0/3", "4/3", "1/0", "2/x", "2", "1/1001", "-1/2", "1.5/2", ""])("%p is refused with what is expected", (text) => {
    expect(() => parsePartition(text)).toThrow(/--partition expects K\/N with 1 <= K <= N <= 1000.*got/);
  });
});

describe("the split", () => {
  for (const basis of ["size", "hash"] as const) {
    test(`${basis}: every planned file lands in exactly one share, for N = 1..7`, () => {
      for (let n = 1; n <= 7; n++) {
        const input = splitInput(n, PATHS, basis === "size", (p) => SIZE(p), () => 0);
        const shares = everyShare(input);
        expect(shares.flat().sort()).toEqual([...PATHS].sort());
        expect(new Set(shares.flat()).size).toBe(PATHS.length);
      }
    });

    test(`${basis}: the same inputs in any order give the same split and the same digest`, () => {
      const a = splitInput(4, PATHS, basis === "size", SIZE, () => 0);
      const b = splitInput(4, [...PATHS].reverse(), basis === "size", SIZE, () => 0);
      expect(everyShare(a)).toEqual(everyShare(b));
      expect(splitDigest(a)).toBe(splitDigest(b));
      expect(sharePlan(a, 2).digest).toBe(sharePlan(b, 3).digest);
    });
  }

  test("size: largest first into the lightest share, ties to the lower share, equal sizes ordered by path", () => {
    const sizes: Record<string, number> = { "a.ts": 10, "b.ts": 10, "c.ts": 30, "d.ts": 5, "e.ts": 5, "f.ts": 1 };
    const input = splitInput(2, Object.keys(sizes), true, (p) => sizes[p], () => 0);
    // c(30)→1 [30,0]; a(10)→2 [30,10]; b(10)→2 [30,20]; d(5)→2 [30,25]; e(5)→2 [30,30]; f(1): a tie, the lower share.
    expect(Object.fromEntries(assignShares(input))).toEqual({ "c.ts": 1, "a.ts": 2, "b.ts": 2, "d.ts": 2, "e.ts": 2, "f.ts": 1 });
  });

  test("size: shares are balanced within the largest file", () => {
    const input = splitInput(3, PATHS, true, SIZE, () => 0);
    const loads = everyShare(input).map((files) => files.reduce((s, p) => s + SIZE(p), 0));
    const largest = Math.max(...PATHS.map(SIZE));
    expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(largest);
  });

  test("size: a file the KB has no size for weighs its size on disk", () => {
    const input = splitInput(2, ["known.ts", "new.ts"], true, (p) => (p === "known.ts" ? 50 : undefined), (p) => (p === "new.ts" ? 70 : -1));
    expect(input.sizes).toEqual([50, 70]);
  });

  test("hash: a file's share depends on its path alone (adding files moves no other file)", () => {
    const before = assignShares(splitInput(5, PATHS, false, () => undefined, () => 0));
    const after = assignShares(splitInput(5, [...PATHS, "src/new.ts", "docs/x.md"], false, () => undefined, () => 0));
    for (const p of PATHS) expect(after.get(p)).toBe(before.get(p)!);
  });

  test("hash: the shares are not all one (the hash spreads paths)", () => {
    const shares = everyShare(splitInput(4, PATHS, false, () => undefined, () => 0));
    expect(shares.every((s) => s.length > 0)).toBe(true);
  });

  test("different inputs give different digests: N, the files, the basis, a size", () => {
    const base = splitInput(3, PATHS, true, SIZE, () => 0);
    expect(splitDigest(splitInput(4, PATHS, true, SIZE, () => 0))).not.toBe(splitDigest(base));
    expect(splitDigest(splitInput(3, PATHS.slice(1), true, SIZE, () => 0))).not.toBe(splitDigest(base));
    expect(splitDigest(splitInput(3, PATHS, false, SIZE, () => 0))).not.toBe(splitDigest(base));
    expect(splitDigest(splitInput(3, PATHS, true, (p) => (p === PATHS[0] ? 1 : SIZE(p)), () => 0))).not.toBe(splitDigest(base));
  });
});
