/** `--labels FILE.jsonl`: an external labelled set, one `{"path", "line_start", "line_end", "category"?}` a line. */
import { readFileSync } from "node:fs";
import { UsageError } from "../../domain/errors";
import { FINDING_CATEGORIES, type FindingCategory } from "../../domain/verdict";
import type { Target } from "./measure";

/** Every problem category: a label without a category is found by a finding of any kind but "verified". */
const ANY_PROBLEM = FINDING_CATEGORIES.filter((c) => c !== "verified_components");

/** Parse a labels file; a bad line is a UsageError naming the file and line. */
export function readLabels(file: string, text = readFileSync(file, "utf8")): Target[] {
  const targets: Target[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (line === "") return;
    const where = `${file}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      if (e instanceof SyntaxError) throw new UsageError(`${where}: not JSON (${e.message}); expected {"path", "line_start", "line_end", "category"?} a line`);
      throw e;
    }
    const v = value as Record<string, unknown>;
    if (typeof value !== "object" || value === null || typeof v.path !== "string" || v.path === "") throw new UsageError(`${where}: "path" must be a non-empty string`);
    const start = v.line_start;
    const end = v.line_end ?? start;
    if (!Number.isInteger(start) || (start as number) < 1) throw new UsageError(`${where}: "line_start" must be a whole number from 1 up`);
    if (!Number.isInteger(end) || (end as number) < (start as number)) throw new UsageError(`${where}: "line_end" must be a whole number not below line_start`);
    if (v.category !== undefined && !(ANY_PROBLEM as readonly unknown[]).includes(v.category)) {
      throw new UsageError(`${where}: "category" must be one of: ${ANY_PROBLEM.join(", ")}; got ${JSON.stringify(v.category)}`);
    }
    targets.push({
      id: targets.length + 1,
      path: v.path.replace(/^\.\//, ""),
      operator: typeof v.category === "string" ? v.category : "label",
      line_start: start as number,
      line_end: end as number,
      categories: v.category !== undefined ? [v.category as FindingCategory] : ANY_PROBLEM,
    });
  });
  if (targets.length === 0) throw new UsageError(`${file}: no labels; expected {"path", "line_start", "line_end", "category"?} a line`);
  return targets;
}
