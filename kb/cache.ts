/** The shard answer cache: accepted answers by the hash of what was asked. SQL only. */
import type { CachedAnswerRecord } from "../domain/records";
import type { KbContext } from "./context";
import type { Engine } from "./engine";

export interface CachedAnswer {
  rung: string;
  model: string;
  verdict_json: string;
  output_format: string | null;
  iteration_id: number;
}

/** The latest accepted answer for this prompt hash, or undefined. */
export function lookupAnswer(db: Engine, promptSha: string): CachedAnswer | undefined {
  const row = db
    .query(`SELECT rung, model, verdict_json, output_format, iteration_id FROM shard_cache WHERE prompt_sha = ? ORDER BY rowid DESC LIMIT 1`)
    .get(promptSha) as CachedAnswer | null;
  return row ?? undefined;
}

/** Store an accepted answer (inside the caller's transaction). */
export function storeAnswer(db: Engine, input: CachedAnswer & { prompt_sha: string; created_at: string }): void {
  db.query(
    `INSERT INTO shard_cache (prompt_sha, rung, model, verdict_json, output_format, iteration_id, created_at) VALUES (@prompt_sha, @rung, @model, @verdict_json, @output_format, @iteration_id, @created_at)`,
  ).run(input as unknown as Record<string, string | number | null>);
}

/** The answers an iteration added to the cache, in the order it added them (what `scrum kb merge` copies with its rows). */
export function answersOf(db: Engine, iterationId: number): CachedAnswerRecord[] {
  return db
    .query(`SELECT prompt_sha, rung, model, verdict_json, output_format FROM shard_cache WHERE iteration_id = ? ORDER BY rowid`)
    .all(iterationId) as CachedAnswerRecord[];
}

export class ShardCache {
  constructor(private readonly ctx: KbContext) {}

  /** A cached accepted answer for this prompt hash. */
  answer(promptSha: string): CachedAnswer | undefined {
    return lookupAnswer(this.ctx.db, promptSha);
  }
}
