/**
 * The static floor: the deterministic rules of high precision run on every shard, whichever rung answered, and their
 * findings join the model's verdict (reduce/merge.ts addFileFindings). A model's `pass` never hides a stub the static
 * rung proves. The shards scanned are the sharder's own plan at the configured size, so re-splitting for a small
 * window never changes what the rules see.
 */
import { RULES } from "../static/rules";
import type { RuleId } from "../../domain/rules";
import { scanShard } from "../static/scan";
import type { SharedTree } from "../shard/grammars";
import type { Shard, ShardPlan } from "../shard/types";
import { FINDING_CATEGORIES, type FileVerdict, type Finding, type FindingCategory } from "../../domain/verdict";

/** Rules at or above this confidence are precise enough to stand beside any model's answer. */
export const FLOOR_MIN_CONFIDENCE = 85;

/**
 * The rules of the floor, by id: precise, and about something worth a patch (a low finding alone lets a file pass): a
 * rule's earned severity, or the one it claims when the repository raised it (`[static] raise`).
 */
export function floorRules(raise: readonly RuleId[] = []): RuleId[] {
  return (Object.keys(RULES) as RuleId[]).filter((id) => RULES[id].confidence >= FLOOR_MIN_CONFIDENCE && (RULES[id].severity !== "low" || (raise.includes(id) && RULES[id].claimed !== "low")));
}

/** The floor's findings of a plan, by category (empty categories left out); `shared` serves the shard of its text. */
export async function staticFloor(plan: Pick<ShardPlan, "path" | "language"> & { shards: Shard[] }, raise: readonly RuleId[] = [], shared?: SharedTree): Promise<Map<FindingCategory, Finding[]>> {
  const rules = new Set<string>(floorRules(raise));
  const found = new Map<FindingCategory, Finding[]>();
  // No rule earned a place on the floor (the default: every rule is informational until a repository raises it):
  // nothing a scan finds would be kept, so the shards are not scanned, nor parsed for it.
  if (rules.size === 0) return found;
  for (const shard of plan.shards) {
    const verdict = await scanShard({ path: plan.path, language: plan.language, lineStart: shard.lineStart, text: shard.text }, { raise }, shared);
    for (const category of FINDING_CATEGORIES) {
      const hits = verdict[category].filter((f) => f.rule !== undefined && rules.has(f.rule));
      if (hits.length > 0) found.set(category, [...(found.get(category) ?? []), ...hits]);
    }
  }
  return found;
}

/** The floor's findings on lines no finding of the verdict already covers (a model that saw the stub keeps its own words). */
export function unseenBy(verdict: Pick<FileVerdict, FindingCategory>, found: Finding[]): Finding[] {
  const covered = FINDING_CATEGORIES.filter((c) => c !== "verified_components").flatMap((c) => verdict[c]);
  return found.filter((f) => !covered.some((c) => c.line_start <= f.line_start && f.line_start <= c.line_end));
}
