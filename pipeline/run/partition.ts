/**
 * `scrum run --partition K/N`: a stable split of an iteration's planned files, so N jobs (CI runners) together review
 * every file exactly once. Every job computes the same split from the same inputs, with no shared state:
 * - with a state in the KB, files are balanced by size: the size the KB recorded for each file at its last state (a
 *   file the KB has no size for: its size on disk), largest first, each into the share with the fewest bytes so far
 *   (ties to the lower share), equal sizes ordered by path;
 * - with no state (a first sweep), by a hash of the repository-relative path: share = sha256(path) mod N.
 * So the split depends on the planned paths (the tree and the run's inputs), N and, for the size basis, the KB the
 * jobs start from: jobs of one sweep must start from the same KB file.
 */
import { createHash } from "node:crypto";
import { UsageError } from "../../domain/errors";

export interface Partition {
  /** This job's share, 1-based. */
  index: number;
  count: number;
}

/** The most shares a sweep may be split into. */
export const MAX_PARTITIONS = 1000;

/** What a split is computed from: stored with every share (`iterations.partition_json`) so shares can be compared. */
export interface SplitInput {
  count: number;
  basis: "size" | "hash";
  /** Every planned file, repository-relative, sorted. */
  paths: string[];
  /** The weight of each path (bytes) for the size basis; null for the hash basis. */
  sizes: number[] | null;
}

/** `partition_json` of a share. */
export interface SharePlan extends SplitInput {
  kind: "share";
  index: number;
  /** sha256 of the split input: equal for every share of one sweep. */
  digest: string;
}

/** `partition_json` of a merged iteration. */
export interface MergedPlan {
  kind: "merged";
  count: number;
  digest: string;
  /** The shares joined: their partition, the KB file they came from (as given), their iteration there and when it started. */
  shares: Array<{ partition: string; kb: string; iteration: number; files: number; started_at: string }>;
  /** Partitions no KB was given for. */
  missing: string[];
  /** Files of the sweep no partition reviewed (stored as `unreviewed`). */
  unreviewed: string[];
}

/** Parse `K/N` (1 ≤ K ≤ N ≤ 1000); anything else is a usage error saying what is expected. */
export function parsePartition(text: string): Partition {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : Number.NaN;
  const count = m ? Number(m[2]) : Number.NaN;
  if (!m || count < 1 || count > MAX_PARTITIONS || index < 1 || index > count) {
    throw new UsageError(`--partition expects K/N with 1 <= K <= N <= ${MAX_PARTITIONS} (this job's share K of N shares), e.g. --partition 2/4; got "${text}"`);
  }
  return { index, count };
}

export function formatPartition(p: Partition): string {
  return `${p.index}/${p.count}`;
}

/**
 * The split input for `paths`: by size when `recordedSize` knows sizes (the KB has a state), else by hash.
 * `recordedSize` gives the size the KB recorded for a path (undefined: none); `sizeOnDisk` the file's size now.
 */
export function splitInput(count: number, paths: string[], hasState: boolean, recordedSize: (path: string) => number | undefined, sizeOnDisk: (path: string) => number): SplitInput {
  const sorted = [...new Set(paths)].sort(byPath);
  if (!hasState) return { count, basis: "hash", paths: sorted, sizes: null };
  return { count, basis: "size", paths: sorted, sizes: sorted.map((p) => recordedSize(p) ?? sizeOnDisk(p)) };
}

/** The share (1-based) of every path of the split. Pure: the same input gives the same split on every machine. */
export function assignShares(input: SplitInput): Map<string, number> {
  const out = new Map<string, number>();
  if (input.basis === "hash" || input.sizes === null) {
    for (const p of input.paths) out.set(p, hashShare(p, input.count));
    return out;
  }
  const sizes = input.sizes;
  const order = input.paths.map((path, i) => ({ path, size: sizes[i]! })).sort((a, b) => b.size - a.size || byPath(a.path, b.path));
  const load = new Array<number>(input.count).fill(0);
  for (const f of order) {
    let lightest = 0;
    for (let i = 1; i < input.count; i++) if (load[i]! < load[lightest]!) lightest = i;
    // An empty file still costs a review: it weighs one byte, so empty files spread instead of piling into one share.
    load[lightest]! += Math.max(1, f.size);
    out.set(f.path, lightest + 1);
  }
  return out;
}

/** The plan a share stores: the split input, its digest and the share's index. */
export function sharePlan(input: SplitInput, index: number): SharePlan {
  return { kind: "share", index, ...input, digest: splitDigest(input) };
}

/** The paths of share `index` under the split. */
export function shareFiles(input: SplitInput, index: number): string[] {
  const shares = assignShares(input);
  return input.paths.filter((p) => shares.get(p) === index);
}

export function splitDigest(input: SplitInput): string {
  return createHash("sha256").update(JSON.stringify([input.count, input.basis, input.paths, input.sizes])).digest("hex");
}

/** A stored share plan, read back; throws on a row scrum could not have written. */
export function readSharePlan(json: string, where: string): SharePlan {
  const plan = JSON.parse(json) as Partial<SharePlan>;
  if (plan.kind !== "share" || !Array.isArray(plan.paths) || typeof plan.count !== "number" || typeof plan.index !== "number" || (plan.basis !== "size" && plan.basis !== "hash")) {
    throw new UsageError(`${where}: partition_json is not a share's split; the knowledge base was changed outside scrum`);
  }
  return plan as SharePlan;
}

function hashShare(path: string, count: number): number {
  // The first 48 bits of the hash: an exact integer in a double, so the modulo is the same everywhere.
  const head = Number.parseInt(createHash("sha256").update(path).digest("hex").slice(0, 12), 16);
  return (head % count) + 1;
}

/** Code-unit order, the same on every machine (never the locale's). */
function byPath(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
