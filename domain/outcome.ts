/**
 * What reviewing one file settles, as the file pipeline (pipeline/run/review-file.ts) hands it on: the outcome the
 * KB stores and the run reports. The walk of a file produces it without reading any KB row.
 */
import type { Attempt } from "./attempt";
import type { FileCounts, Tier } from "./counts";
import type { FileVerdict } from "./verdict";

/**
 * Which kind of reviewer produced a review. `model`: every reviewed shard was answered by a model rung.
 * `static_fallback`: the static rung answered a shard after the model rungs failed or answered thin — a degraded
 * review. `static`: the ladder has only the static rung.
 */
export type Reviewer = "model" | "static_fallback" | "static";

/** What the file pipeline settled about one file, in its own terms; domain/file-record.ts `fileRecord` makes the record the KB stores. */
export type FileOutcome =
  | { kind: "skipped"; path: string; reason: string }
  | {
      kind: "reviewed";
      path: string;
      sha: string;
      verdict: FileVerdict;
      attempts: Attempt[];
      counts: FileCounts;
      confidence: { avg: number | null; min: number | null };
      tier: Tier | null;
      shards: number;
      strategy: string;
      outputFormat: string | null;
      acceptedModels: string[];
      escalations: number;
      latencyMs: number;
      /** The repository rules the review used (JSON), or null. */
      instructions: string | null;
      /** Which kind of reviewer answered its shards (null: none did). */
      reviewer: Reviewer | null;
      /** Why the model rungs gave up where the static rung answered (a static_fallback review). */
      degradedReason: string | null;
    };
