/**
 * Whether the model rungs of an iteration did any work: accepted model answers per rung, the files the static rung
 * answered in their place (degraded), and the verdict a run summary, `--json` and the exit code give when model rungs
 * exist and none of their answers was accepted — a dead model server or a model that answers everything thin must not
 * read as a clean sweep. Pure over the iteration's rows.
 */
import type { FileReview, StoredAttempt } from "../../domain/records";

export interface ModelAnswers {
  /**
   * Per model rung of the ladder, in ladder order: answers accepted from calls made now, answers reused from the
   * cache, and shards it was sent now (asked, or skipped for its window, budget or cooldown).
   */
  rungs: Array<{ rung: string; accepted: number; cached: number; shards_sent: number }>;
  /** Answers accepted from model calls made now, over every model rung. */
  accepted: number;
  /** Shards that went to a model rung now (not answered from the cache). */
  shards_sent: number;
  /** Files whose review only the static rung gave after the model rungs gave up (reviewer `static_fallback`). */
  degraded_files: number;
  /**
   * True when shards went to the model rungs and not one answer was accepted: the server down, every answer thin or
   * invalid. Answers reused from the cache do not make up for it (they say nothing about the models now).
   */
  none_accepted: boolean;
  /** What the run says about it, or null when every shard sent to a model got a model answer. */
  warning: string | null;
}

/** The model answers of one iteration; null for a ladder without model rungs (`--offline`, or static by configuration). */
export function countModelAnswers(modelRungs: readonly string[], attempts: readonly Pick<StoredAttempt, "path" | "shard_index" | "rung" | "outcome" | "purpose">[], reviews: readonly Pick<FileReview, "reviewer" | "verdict">[]): ModelAnswers | null {
  if (modelRungs.length === 0) return null;
  const review = attempts.filter((a) => a.purpose === "review");
  const shardsOf = (rows: typeof review) => new Set(rows.map((a) => `${a.path}\u0000${a.shard_index}`)).size;
  const sent = (a: (typeof review)[number]) => a.outcome !== "cached";
  const rungs = modelRungs.map((rung) => {
    const mine = review.filter((a) => a.rung === rung);
    return { rung, accepted: mine.filter((a) => a.outcome === "accepted").length, cached: mine.filter((a) => a.outcome === "cached").length, shards_sent: shardsOf(mine.filter(sent)) };
  });
  const accepted = rungs.reduce((n, r) => n + r.accepted, 0);
  const shardsSent = shardsOf(review.filter((a) => modelRungs.includes(a.rung) && sent(a)));
  const degraded = reviews.filter((r) => r.reviewer === "static_fallback").length;
  const noneAccepted = shardsSent > 0 && accepted === 0;
  let warning: string | null = null;
  if (noneAccepted) {
    const unreviewed = reviews.filter((r) => r.verdict === "unreviewed").length;
    // Without a static rung in the ladder nothing answered in the models' place: say so, not "0 files got…".
    const instead =
      degraded > 0
        ? `${degraded} file${degraded === 1 ? "" : "s"} got only the static rung's review: degraded, kept apart from model reviews in the state`
        : `No static rung answered in their place: ${unreviewed} file${unreviewed === 1 ? " is" : "s are"} unreviewed, never pass (a static rung in the ladder reviews beside the models; --offline uses it alone)`;
    warning = `no model answer was accepted: model rung${modelRungs.length === 1 ? "" : "s"} ${modelRungs.join(", ")} answered none of the ${shardsSent} shard${shardsSent === 1 ? "" : "s"} sent (unreachable, failing or thin; \`scrum show PATH\` lists every attempt). ${instead}`;
  } else if (degraded > 0) {
    warning = `${degraded} file${degraded === 1 ? "" : "s"} degraded: the model rungs gave up on some shards and only the static rung answered them; the state keeps their last model review (\`scrum status\` marks them degraded)`;
  }
  return { rungs, accepted, shards_sent: shardsSent, degraded_files: degraded, none_accepted: noneAccepted, warning };
}
