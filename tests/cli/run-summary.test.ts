import { expect, test } from "bun:test";
import { renderSummary } from "../../pipeline/cli/commands/run";
import type { RunSummary } from "../../pipeline/run/iteration";

const summary = (status: RunSummary["status"]): RunSummary => ({
  iteration_id: 4, label: "iter-1", status, files: { total: 2, reviewed: 0, skipped: 0, unreviewed: 2 }, verdicts: { pass: 0, needs_patch: 0, fail: 0 },
  metrics: {}, budget_exhausted: null, cooldowns: [], model_answers: null,
});
const tiers = { auto: { findings: 0, clean: 0 }, review: { findings: 0, clean: 0 }, block: { findings: 0, clean: 0 } };

test("an interrupted run's summary says how to finish it; a finished one's points at flagged", () => {
  expect(renderSummary(summary("aborted"), tiers)).toEndWith("next: `scrum run --resume=4` reviews the files this iteration did not store; `scrum flagged` lists what needs work so far.");
  expect(renderSummary(summary("done"), tiers)).toEndWith("next: `scrum flagged` lists what needs work; `scrum show PATH` shows one verdict.");
});

test("with nothing flagged but findings held at review, the summary says where they are", () => {
  const done = renderSummary(summary("done"), tiers, { flagged: 0, heldWithFindings: 101 });
  expect(done).toEndWith("next: nothing is flagged (no file fails, needs a patch, is unreviewed or blocked); 101 passing files hold findings that raise no verdict (docs/STATIC.md, \"Which rules raise verdicts\"): `scrum flagged --include review` lists them first; `scrum show PATH` shows one verdict.");
  expect(renderSummary(summary("done"), tiers, { flagged: 3, heldWithFindings: 101 })).toEndWith("next: `scrum flagged` lists what needs work; `scrum show PATH` shows one verdict.");
  expect(renderSummary(summary("done"), tiers, { flagged: 0, heldWithFindings: 0 })).toEndWith("next: `scrum flagged` lists what needs work; `scrum show PATH` shows one verdict.");
});
