/**
 * Scan speed of several engines over the same shards, measured in alternating rounds in one process: on a shared
 * machine the load changes from second to second, so the ratio of two engines timed side by side is the number to
 * trust, not either absolute figure.
 */
import type { Engine } from "./engine";
import type { ScannedShard } from "./scan-corpus";

export interface SpeedResult {
  engine: string;
  /** MB/s of each round, in round order. */
  rounds: number[];
  median: number;
}

/** Median of a non-empty list. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Time each engine's scan over every shard, `rounds` times, the engine order flipped each round (ABBA) so neither always runs warm. */
export async function scanSpeed(engines: Engine[], shards: ScannedShard[], rounds: number): Promise<SpeedResult[]> {
  const megabytes = shards.reduce((n, s) => n + Buffer.byteLength(s.text), 0) / 1e6;
  const perEngine = new Map<string, number[]>(engines.map((e) => [e.label, []]));
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? engines : [...engines].reverse();
    for (const engine of order) {
      const t0 = performance.now();
      for (const s of shards) await engine.scan(s);
      (perEngine.get(engine.label) as number[]).push(megabytes / ((performance.now() - t0) / 1000));
    }
  }
  return engines.map((e) => {
    const list = perEngine.get(e.label) as number[];
    return { engine: e.label, rounds: list, median: median(list) };
  });
}
