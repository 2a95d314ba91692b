import type { StateEntry } from "../../domain/records";
import { describe, expect, test } from "bun:test";
import { applyDismissals, buildState } from "../../pipeline/score/state";

const row = (path: string, over: Partial<StateEntry> = {}): StateEntry => ({
  iteration_id: 1, path, from_iteration_id: 1, content_sha: `sha-${path}`, stale: false, verdict: "needs_patch", gradient_tier: "review",
  findings_count: 1, findings_high: 0, findings_medium: 1, findings_low: 0, critical_failures_count: 0, missing_components_count: 0,
  reviewer: "model", degraded: false, degraded_reason: null, ...over,
});

describe("the state after an iteration", () => {
  const previous = [row("a.ts"), row("b.ts"), row("gone.ts"), row("img.png", { content_sha: null, verdict: "skipped", findings_count: 0, findings_medium: 0 })];
  const disk: Record<string, string | null> = { "a.ts": "sha-a.ts", "b.ts": "sha-b.ts-edited", "gone.ts": null, "img.png": "whatever", "new.ts": "sha-new" };
  const state = buildState({
    iterationId: 2,
    previous,
    reviewed: [{ path: "new.ts", content_sha: "sha-new", verdict: "pass", gradient_tier: "auto", reviewer: "model", degraded_reason: null }],
    counts: new Map(),
    onDisk: (p) => disk[p] ?? null,
  });
  const by = new Map(state.map((r) => [r.path, r]));

  test("a file reviewed now comes from this iteration; one not reviewed carries its review forward", () => {
    expect(by.get("new.ts")).toMatchObject({ iteration_id: 2, from_iteration_id: 2, stale: false, verdict: "pass" });
    expect(by.get("a.ts")).toMatchObject({ iteration_id: 2, from_iteration_id: 1, stale: false, verdict: "needs_patch" });
  });
  test("a carried file whose content changed is stale; a deleted one is gone; a skipped one stays as it was", () => {
    expect(by.get("b.ts")!.stale).toBe(true);
    expect(by.has("gone.ts")).toBe(false);
    expect(by.get("img.png")).toMatchObject({ stale: false, verdict: "skipped" });
  });
  test("a degraded review never replaces a model review: the file keeps it, marked degraded with the reason", () => {
    const fallback = { verdict: "pass" as const, gradient_tier: "auto" as const, reviewer: "static_fallback" as const, degraded_reason: "rung local (m) error: connection refused" };
    const next = buildState({
      iterationId: 3,
      previous: [row("a.ts"), row("b.ts", { reviewer: "static", verdict: "needs_patch" })],
      reviewed: [
        { path: "a.ts", content_sha: "sha-a.ts", ...fallback },
        { path: "b.ts", content_sha: "sha-b.ts", ...fallback },
        { path: "c.ts", content_sha: "sha-c.ts", ...fallback },
      ],
      counts: new Map(),
      onDisk: (p) => `sha-${p}`,
    });
    const at = new Map(next.map((r) => [r.path, r]));
    expect(at.get("a.ts")).toMatchObject({ from_iteration_id: 1, verdict: "needs_patch", reviewer: "model", degraded: true, degraded_reason: fallback.degraded_reason, stale: false });
    // No model review to keep: the degraded review stands, and says so.
    expect(at.get("b.ts")).toMatchObject({ from_iteration_id: 3, verdict: "pass", reviewer: "static_fallback", degraded: true });
    expect(at.get("c.ts")).toMatchObject({ from_iteration_id: 3, reviewer: "static_fallback", degraded: true });
  });
  test("dismissals made since are subtracted; a file left with nothing reads as pass", () => {
    const seen = applyDismissals([row("a.ts"), row("b.ts", { findings_count: 2, findings_medium: 2 })], [
      { iteration_id: 1, path: "a.ts", category: "risk_points", severity: "medium", fingerprint: "f1" },
      { iteration_id: 1, path: "b.ts", category: "risk_points", severity: "medium", fingerprint: "f2" },
    ]);
    expect(seen[0]).toMatchObject({ findings_count: 0, findings_medium: 0, verdict: "pass" });
    expect(seen[1]).toMatchObject({ findings_count: 1, findings_medium: 1, verdict: "needs_patch" });
    // A dismissal of another review of the same path does not apply.
    expect(applyDismissals([row("a.ts", { from_iteration_id: 3 })], [{ iteration_id: 1, path: "a.ts", category: "risk_points", severity: "medium", fingerprint: "f1" }])[0]!.verdict).toBe("needs_patch");
  });
});
