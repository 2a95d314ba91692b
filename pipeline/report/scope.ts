/** The scope of an iteration: which part of the tree it swept, named from its targets, so CI tools keep one analysis per scope. */
import { createHash } from "node:crypto";

/** Past this many targets (or characters) the scope is named by a hash: a --from-flagged sweep lists every file. */
const MAX_NAMED_TARGETS = 4;
const MAX_NAMED_CHARS = 80;

/**
 * The scope name of a list of targets: sorted, de-duplicated, `./` and trailing slashes dropped, joined by `,`
 * (`.` for the whole tree); a long list becomes `files-<12 hex>` of the same text. The same targets in any
 * order give the same name.
 */
export function sweepScope(targets: readonly string[]): string {
  const normal = [...new Set(targets.map(normalTarget))].sort();
  if (normal.length === 0) return ".";
  const joined = normal.join(",");
  if (normal.length <= MAX_NAMED_TARGETS && joined.length <= MAX_NAMED_CHARS) return joined;
  return `files-${createHash("sha256").update(normal.join("\n")).digest("hex").slice(0, 12)}`;
}

function normalTarget(target: string): string {
  const slashed = target.replace(/\\/g, "/").replace(/^(\.\/)+/, "").replace(/\/+$/, "");
  return slashed === "" ? "." : slashed;
}
