/**
 * Dismissals applied to a file verdict: a finding whose fingerprint a user dismissed leaves the verdict's lists (it is
 * kept under `dismissed` with the dismissal id, so the KB still records it) and no longer drives the verdict.
 */
import { FINDING_CATEGORIES, type FileVerdict } from "../../domain/verdict";

/** Move dismissed findings out of the lists; a needs_patch/fail verdict left with no problem finding becomes pass. */
export function applyDismissals(verdict: FileVerdict, dismissed: ReadonlyMap<string, number>): FileVerdict {
  if (dismissed.size === 0) return verdict;
  const out: FileVerdict = { ...verdict, dismissed: [...(verdict.dismissed ?? [])] };
  let removed = 0;
  for (const c of FINDING_CATEGORIES) {
    if (c === "verified_components") continue;
    const keep = [];
    for (const f of verdict[c]) {
      const id = dismissed.get(f.fingerprint);
      if (id === undefined) keep.push(f);
      else {
        out.dismissed!.push({ ...f, category: c, dismissal_id: id });
        removed++;
      }
    }
    out[c] = keep;
  }
  if (removed === 0) return verdict;
  const problems = FINDING_CATEGORIES.filter((c) => c !== "verified_components").reduce((n, c) => n + out[c].length, 0);
  if (problems === 0 && (verdict.verdict === "needs_patch" || verdict.verdict === "fail")) {
    out.verdict = "pass";
    out.summary = `${verdict.summary}\n(${removed} dismissed finding${removed === 1 ? "" : "s"} set aside; nothing else stands.)`;
  }
  return out;
}
