import { describe, expect, test } from "bun:test";
import { countModelAnswers } from "../../pipeline/run/model-answers";

const attempt = (path: string, shard_index: number, rung: string, outcome: string, purpose: "review" | "reduce" = "review") =>
  ({ path, shard_index, rung, outcome, purpose }) as Parameters<typeof countModelAnswers>[1][number];

describe("countModelAnswers", () => {
  test("a dead model rung and a static fallback: none accepted, every file degraded, a warning naming the rung", () => {
    const m = countModelAnswers(
      ["local"],
      [attempt("a.rs", 0, "local", "error"), attempt("a.rs", 0, "static", "accepted"), attempt("b.rs", 0, "local", "skipped"), attempt("b.rs", 0, "static", "accepted")],
      [{ reviewer: "static_fallback", verdict: "pass" }, { reviewer: "static_fallback", verdict: "pass" }],
    )!;
    expect(m).toMatchObject({ accepted: 0, shards_sent: 2, degraded_files: 2, none_accepted: true, rungs: [{ rung: "local", accepted: 0, cached: 0, shards_sent: 2 }] });
    expect(m.warning).toMatch(/^no model answer was accepted: model rung local answered none of the 2 shards sent/);
    expect(m.warning).toContain("2 files got only the static rung's review");
  });

  test("without a static rung in the ladder the warning says the files are unreviewed, not that 0 got a static review", () => {
    const m = countModelAnswers(["local"], [attempt("a.rs", 0, "local", "thin"), attempt("b.rs", 0, "local", "thin")], [
      { reviewer: null, verdict: "unreviewed" },
      { reviewer: null, verdict: "unreviewed" },
    ])!;
    expect(m.none_accepted).toBe(true);
    expect(m.warning).toContain("No static rung answered in their place: 2 files are unreviewed, never pass");
    expect(m.warning).not.toContain("0 files got");
  });

  test("answers from the cache do not make up for a dead server: the shard sent now got nothing", () => {
    const m = countModelAnswers(
      ["local"],
      [attempt("a.rs", 0, "local", "cached"), attempt("a.rs", 1, "local", "error"), attempt("a.rs", 1, "static", "accepted")],
      [{ reviewer: "static_fallback", verdict: "pass" }],
    )!;
    expect(m).toMatchObject({ accepted: 0, shards_sent: 1, none_accepted: true, rungs: [{ rung: "local", accepted: 0, cached: 1, shards_sent: 1 }] });
  });

  test("one degraded file among model answers is a warning, not none accepted; reduce calls are not review answers", () => {
    const m = countModelAnswers(
      ["local", "cloud"],
      [attempt("a.rs", 0, "local", "accepted"), attempt("b.rs", 0, "local", "thin"), attempt("b.rs", 0, "cloud", "timeout"), attempt("b.rs", 0, "static", "accepted"), attempt("a.rs", -1, "cloud", "accepted", "reduce")],
      [{ reviewer: "model", verdict: "pass" }, { reviewer: "static_fallback", verdict: "pass" }],
    )!;
    expect(m.rungs).toEqual([
      { rung: "local", accepted: 1, cached: 0, shards_sent: 2 },
      { rung: "cloud", accepted: 0, cached: 0, shards_sent: 1 },
    ]);
    expect(m.none_accepted).toBe(false);
    expect(m.warning).toMatch(/^1 file degraded/);
  });

  test("every shard answered from the cache: nothing was sent, nothing failed", () => {
    expect(countModelAnswers(["local"], [attempt("a.rs", 0, "local", "cached")], [{ reviewer: "model", verdict: "pass" }])).toMatchObject({ shards_sent: 0, none_accepted: false, warning: null });
  });

  test("no model rung: nothing to count; no shard asked: not a failure", () => {
    expect(countModelAnswers([], [attempt("a.rs", 0, "static", "accepted")], [{ reviewer: "static", verdict: "pass" }])).toBeNull();
    expect(countModelAnswers(["local"], [], [])).toMatchObject({ none_accepted: false, warning: null });
  });
});
