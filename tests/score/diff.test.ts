import type { FileReview, StoredFinding } from "../../domain/records";
import { expect, test } from "bun:test";
import { diffIterations, type IterationSnapshot } from "../../pipeline/score/diff";

const review = (path: string, verdict: FileReview["verdict"]) => ({ path, verdict }) as FileReview;
const finding = (path: string, fingerprint: string, category = "pseudocode_flags") =>
  ({ path, fingerprint, category, severity: "high", title: fingerprint, line_start: 1 }) as StoredFinding;

const a: IterationSnapshot = {
  id: 1, label: "iter-1",
  metrics: { findings_total: 3, verdict_pass: 1, files_total: 3, wall_ms: 100 },
  reviews: [review("a.rs", "needs_patch"), review("b.rs", "fail"), review("c.rs", "pass")],
  findings: [finding("a.rs", "f1"), finding("b.rs", "f2"), finding("b.rs", "f3"), finding("c.rs", "ok", "verified_components")],
};
const b: IterationSnapshot = {
  id: 2, label: "iter-2",
  metrics: { findings_total: 2, verdict_pass: 1, files_total: 2, wall_ms: 150 },
  reviews: [review("a.rs", "pass"), review("b.rs", "fail")],
  findings: [finding("b.rs", "f3"), finding("b.rs", "f4")],
};

test("metric deltas carry a direction by what each metric means", () => {
  const d = diffIterations(a, b);
  const m = Object.fromEntries(d.metrics.map((x) => [x.name, x]));
  expect(m.findings_total).toMatchObject({ from: 3, to: 2, delta: -1, direction: "better" });
  expect(m.wall_ms).toMatchObject({ delta: 50, direction: "worse" });
  expect(m.verdict_pass).toMatchObject({ delta: 0, direction: "same" });
  expect(m.files_total!.direction).toBeNull();
});

test("verdict transitions only for files in both iterations", () => {
  expect(diffIterations(a, b).transitions).toEqual([{ path: "a.rs", from: "needs_patch", to: "pass" }]);
});

test("findings by fingerprint: a file not re-reviewed resolves nothing; proof of life is not a finding", () => {
  const d = diffIterations(a, b);
  expect(d.findings.new.map((f) => f.fingerprint)).toEqual(["f4"]);
  expect(d.findings.resolved.map((f) => f.fingerprint).sort()).toEqual(["f1", "f2"]);
  expect(d.findings.persisting.map((f) => f.fingerprint)).toEqual(["f3"]);
  const partial = diffIterations(a, { ...b, reviews: [review("b.rs", "fail")] });
  expect(partial.findings.resolved.map((f) => f.fingerprint)).toEqual(["f2"]);
});

test("like with like: a file a model reviewed and then only the static rung is not compared — no transition, nothing resolved", () => {
  const byModel = (path: string, verdict: FileReview["verdict"]) => ({ path, verdict, reviewer: "model" });
  const byStatic = (path: string, verdict: FileReview["verdict"]) => ({ path, verdict, reviewer: "static_fallback", degraded: true });
  const d = diffIterations(
    { ...a, reviews: [byModel("a.rs", "needs_patch"), byModel("b.rs", "fail")] },
    { ...b, reviews: [byStatic("a.rs", "pass"), byModel("b.rs", "fail")], findings: [finding("b.rs", "f3")] },
    "iteration",
  );
  expect(d.transitions).toEqual([]);
  expect(d.findings.resolved.map((f) => f.fingerprint)).toEqual(["f2"]);
  expect(d.reviewers_differ).toEqual([{ path: "a.rs", from: "model", to: "static_fallback" }]);
  expect(d.degraded).toEqual(["a.rs"]);
  // Rows that do not say their reviewer (older KBs) compare as before.
  expect(diffIterations(a, b, "iteration").reviewers_differ).toEqual([]);
});
