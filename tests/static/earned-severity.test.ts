import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { RULES } from "../../pipeline/static/rules";
import type { RuleId } from "../../domain/rules";
import { earned, precisionOf, readPrecisionLabels } from "../../scripts/corpus/precision";
import { corpusRepos } from "../../scripts/corpus/recreate";

/**
 * A rule may raise a file's verdict (medium/high) only when the committed evaluation-set labels show that a maintainer
 * would act on its findings: precision >= 0.8 with a 95% Wilson lower bound >= 0.6 (docs/STATIC.md). Raising a rule's
 * severity without labelled evidence fails here.
 */
const LABELS = readPrecisionLabels(join(import.meta.dir, "../../scripts/corpus/precision-labels.jsonl"));
const TUNING_FOR = new Map(corpusRepos("eval").map((r) => [r.name, new Set(r.tuningFor ?? [])]));

function evalJudgements(rule: string) {
  return LABELS.filter((l) => l.set === "eval" && l.rule === rule && !TUNING_FOR.get(l.repo)?.has(rule)).map((l) => ({ maintainer: l.label, claim: l.claim }));
}

describe("severity is earned on the evaluation set", () => {
  for (const id of Object.keys(RULES) as RuleId[]) {
    test(`${id}: ${RULES[id].severity}`, () => {
      const p = precisionOf(evalJudgements(id)).maintainer;
      if (RULES[id].severity !== "low") expect(earned(p), `${id} raises verdicts with maintainer precision ${p.successes}/${p.n}`).toBe(true);
      else expect(RULES[id].severity).toBe("low");
    });
  }

  test("the evaluation labels name repositories of the evaluation set, at their pinned commits", () => {
    const pinned = new Map(corpusRepos("eval").map((r) => [r.name, r.commit]));
    for (const l of LABELS.filter((x) => x.set === "eval")) expect(l.commit, `${l.repo} ${l.path}:${l.line}`).toBe(pinned.get(l.repo) as string);
  });
});
