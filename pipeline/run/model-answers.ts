/**
 * Whether the model rungs of an iteration did any work: accepted model answers per rung, the files the static rung
 * answered in their place (degraded), and the verdict a run summary, `--json` and the exit code give when model rungs
 * exist and none of their answers was accepted — a dead model server or a model that answers everything thin must not
 * read as a clean sweep. Pure over the iteration's rows.
 */
import type { AttemptRow, FileReviewRow } from "../../kb/kb";

export interface ModelAnswers {
  /** Per model rung of the ladder, in ladder order: answers accepted (fresh or from the cache), and shards it was asked. */
  rungs: Array<{ rung: string; accepted: number; cached: number; shards_asked: number }>;
  /** Accepted model answers over every model rung (cached ones included). */
  accepted: number;
  /** Shards that went to a model rung at all (asked, skipped or answered from the cache). */
  shards_asked: number;
  /** Files whose review only the static rung gave after the model rungs gave up (reviewer `static_fallback`). */
  degraded_files: number;
  /** True when model rungs were asked about shards and not one of their answers was accepted. */
  none_accepted: boolean;
  /** What the run says about it, or null when every shard a model was asked about got a model answer. */
  warning: string | null;
}

/** The model answers of one iteration; null for a ladder without model rungs (`--offline`, or static by configuration). */
export function countModelAnswers(modelRungs: readonly string[], attempts: readonly Pick<AttemptRow, "path" | "shard_index" | "rung" | "outcome" | "purpose">[], reviews: readonly Pick<FileReviewRow, "reviewer">[]): ModelAnswers | null {
  if (modelRungs.length === 0) return null;
  const review = attempts.filter((a) => a.purpose === "review");
  const shardsOf = (rows: typeof review) => new Set(rows.map((a) => `${a.path}\u0000${a.shard_index}`)).size;
  const rungs = modelRungs.map((rung) => {
    const mine = review.filter((a) => a.rung === rung);
    return { rung, accepted: mine.filter((a) => a.outcome === "accepted" || a.outcome === "cached").length, cached: mine.filter((a) => a.outcome === "cached").length, shards_asked: shardsOf(mine) };
  });
  const accepted = rungs.reduce((n, r) => n + r.accepted, 0);
  const shardsAsked = shardsOf(review.filter((a) => modelRungs.includes(a.rung)));
  const degraded = reviews.filter((r) => r.reviewer === "static_fallback").length;
  const noneAccepted = shardsAsked > 0 && accepted === 0;
  let warning: string | null = null;
  if (noneAccepted) {
    warning = `no model answer was accepted: model rung${modelRungs.length === 1 ? "" : "s"} ${modelRungs.join(", ")} answered none of ${shardsAsked} shard${shardsAsked === 1 ? "" : "s"} (unreachable, failing or thin; \`scrum show PATH\` lists every attempt). ${degraded} file${degraded === 1 ? "" : "s"} got only the static rung's review: degraded, kept apart from model reviews in the state`;
  } else if (degraded > 0) {
    warning = `${degraded} file${degraded === 1 ? "" : "s"} degraded: the model rungs gave up on some shards and only the static rung answered them; the state keeps their last model review (\`scrum status\` marks them degraded)`;
  }
  return { rungs, accepted, shards_asked: shardsAsked, degraded_files: degraded, none_accepted: noneAccepted, warning };
}
