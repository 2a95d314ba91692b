/**
 * Finding identity across iterations. A fingerprint is built from the path, the rule (or category), the enclosing
 * symbol and the normalised evidence, with an occurrence index only among identical findings in that symbol: it
 * survives code moving, edits elsewhere in the file, and the removal of an identical finding in another symbol.
 */
import { createHash } from "node:crypto";
import { symbolAt, type Outline } from "../shard/outline";
import { FINDING_CATEGORIES, type FileFinding, type FileVerdict } from "../../domain/verdict";
import { cleanEvidence } from "./evidence";

/** The fingerprint of one finding. `occurrence` is -1 for unverified evidence (it has no place; the title stands in). */
export function stableFingerprint(path: string, kind: string, symbol: string, finding: Pick<FileFinding, "title" | "evidence">, occurrence: number): string {
  const evidence = cleanEvidence(finding.evidence).toLowerCase();
  const key = occurrence >= 0 ? `${symbol}\u0000${evidence}\u0000${occurrence}` : `unverified\u0000${evidence}\u0000${finding.title.toLowerCase().trim()}`;
  return createHash("sha256").update(`${path}\u0000${kind}\u0000${key}`).digest("hex").slice(0, 16);
}

/** Whether a verdict has a problem finding, i.e. whether its identity needs the file's outline. */
export function needsOutline(verdict: FileVerdict): boolean {
  return FINDING_CATEGORIES.some((c) => c !== "verified_components" && verdict[c].length > 0);
}

/**
 * Give every finding of a merged verdict its symbol and stable fingerprint. Pure; returns a new verdict. Proof of life
 * (verified_components) is fingerprinted without a symbol: it is never diffed, and a file without problems is then
 * never parsed for its outline.
 */
export function identifyFindings(verdict: FileVerdict, outline: Outline): FileVerdict {
  const out: FileVerdict = { ...verdict };
  for (const c of FINDING_CATEGORIES) {
    const seen = new Map<string, number>();
    out[c] = [...verdict[c]]
      .sort((a, b) => a.line_start - b.line_start || a.title.localeCompare(b.title))
      .map((f) => {
        const symbol = c === "verified_components" ? "" : symbolAt(outline, f.line_start);
        const kind = f.rule ?? c;
        const group = `${kind}\u0000${symbol}\u0000${cleanEvidence(f.evidence).toLowerCase()}`;
        const occurrence = f.evidence_verified ? (seen.get(group) ?? 0) : -1;
        if (f.evidence_verified) seen.set(group, occurrence + 1);
        return { ...f, ...(symbol !== "" ? { symbol } : {}), fingerprint: stableFingerprint(verdict.path, kind, symbol, f, occurrence) };
      });
  }
  return out;
}
