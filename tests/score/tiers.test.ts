import { describe, expect, test } from "bun:test";
import { capTier, restsOnEvidence } from "../../pipeline/score/tiers";
import { FINDING_CATEGORIES, type FileFinding, type FileVerdict } from "../../domain/verdict";

function proof(shard: number, line: number, verified = true): FileFinding {
  return { title: "Charge is computed and returned", evidence: "return Math.round(cents * 1.2);", line_start: line, line_end: line, severity: "low", confidence: 95, fingerprint: `fp-${shard}-${line}`, evidence_verified: verified, shard };
}

/** A two-shard file the model called `pass`, with the given proof of life. */
function passed(verified: FileFinding[], extra: Partial<FileVerdict> = {}): Pick<FileVerdict, (typeof FINDING_CATEGORIES)[number] | "verdict" | "shard_reviews"> {
  const lists = Object.fromEntries(FINDING_CATEGORIES.map((c) => [c, [] as FileFinding[]]));
  return {
    ...lists,
    verified_components: verified,
    verdict: "pass",
    shard_reviews: [
      { index: 0, line_start: 1, line_end: 40, status: "reviewed", rung: "local", model: "m", verdict: "pass", summary: "ok" },
      { index: 1, line_start: 41, line_end: 80, status: "reviewed", rung: "local", model: "m", verdict: "pass", summary: "ok" },
    ],
    ...extra,
  } as Pick<FileVerdict, (typeof FINDING_CATEGORIES)[number] | "verdict" | "shard_reviews">;
}

describe("a pass at auto rests on proof from the file", () => {
  test("every reviewed shard proven by a verified component inside it: auto stands", () => {
    const v = passed([proof(0, 12), proof(1, 50)]);
    expect(restsOnEvidence(v)).toBe(true);
    expect(capTier("auto", v)).toBe("auto");
  });
  test("a bare pass (no proof at all), as a model obeying an instruction answers: review", () => {
    expect(capTier("auto", passed([]))).toBe("review");
  });
  test("a shard without its own proof, or proof whose evidence is not in the file: review", () => {
    expect(capTier("auto", passed([proof(0, 12)]))).toBe("review");
    expect(capTier("auto", passed([proof(0, 12), proof(1, 50, false)]))).toBe("review");
    // Proof claimed for shard 1 but at a line of shard 0.
    expect(capTier("auto", passed([proof(0, 12), proof(1, 12)]))).toBe("review");
  });
  test("injection text the code handles holds the tier; lower tiers are never raised", () => {
    const v = passed([proof(0, 12), proof(1, 50)]);
    expect(capTier("auto", v, { handledInjections: 1 })).toBe("review");
    expect(capTier("block", v, { handledInjections: 1 })).toBe("block");
    expect(capTier("review", passed([]))).toBe("review");
  });
});
