/**
 * `scrum rungs`: what the ladder learns from its own log. Per rung: answers by outcome, how often a later judgment (the
 * verifier, a user's dismissal) overturned its findings with a 95% Wilson interval, cost per accepted answer and per
 * confirmed finding; per rung and category, the same overturn rate and whether [verify] skip_when_trusted would skip it.
 */
import { TRUSTED_UPPER_BOUND, wilson } from "../../verify/trust";
import { kbFile, openKb, type CommandContext } from "../context";
import { renderTable } from "../table";
import { showLocation } from "../../../kb/engine";

export function rungsCommand(ctx: CommandContext, opts: { minJudged: number }): number {
  const kb = openKb(ctx, { mustExist: true });
  try {
    const totals = kb.rungs.totals();
    const overturns = kb.rungs.overturns();
    const rate = (k: number, n: number) => {
      const { low, high } = wilson(k, n);
      return { judged: n, overturned: k, rate: n === 0 ? null : round(k / n), low: n === 0 ? null : round(low), high: n === 0 ? null : round(high) };
    };
    const rungs = totals.map((t) => {
      const mine = overturns.filter((o) => o.rung === t.rung);
      const judged = mine.reduce((s, o) => s + o.judged, 0);
      const overturned = mine.reduce((s, o) => s + o.overturned, 0);
      // A local rung costs nothing in money: its price is the tokens and seconds it took.
      const per = (n: number) => (n === 0 ? null : { cost_usd: round(t.cost_usd / n, 6), tokens: Math.round(t.tokens / n), seconds: round(t.latency_ms / 1000 / n, 2) });
      return {
        rung: t.rung,
        model: t.model,
        answers: t.answers,
        accepted: t.accepted,
        cached: t.cached,
        thin: t.thin,
        invalid: t.invalid,
        failed: t.failed,
        verify_calls: t.verify_calls,
        cost_usd: round(t.cost_usd, 6),
        overturn: rate(overturned, judged),
        per_accepted_answer: per(t.accepted),
        confirmed_findings: t.confirmed,
        per_confirmed_finding: per(t.confirmed),
        categories: mine.map((o) => {
          const r = rate(o.overturned, o.judged);
          return { category: o.category, ...r, trusted: o.judged >= opts.minJudged && r.high !== null && r.high <= TRUSTED_UPPER_BOUND };
        }),
      };
    });
    if (ctx.json) {
      ctx.io.out(JSON.stringify({ kb: showLocation(kbFile(ctx)), min_judged: opts.minJudged, rungs }, null, 2));
      return 0;
    }
    ctx.io.out(`knowledge base ${showLocation(kbFile(ctx))}`);
    if (rungs.length === 0) {
      ctx.io.out("no model calls recorded yet; `scrum run PATH` makes the first");
      return 0;
    }
    const pct = (x: number | null) => (x === null ? "-" : `${(x * 100).toFixed(1)}%`);
    const cost = (p: { cost_usd: number; tokens: number; seconds: number } | null) =>
      p === null ? "-" : p.cost_usd > 0 ? `$${p.cost_usd.toFixed(4)}` : `${p.tokens} tok, ${p.seconds} s`;
    ctx.io.out(
      renderTable(
        ["rung", "model", "answers", "accepted", "thin", "invalid", "failed", "verify", "judged", "overturned", "95% interval", "per accepted", "per confirmed"],
        rungs.map((r) => [
          r.rung, r.model, r.answers, r.accepted, r.thin, r.invalid, r.failed, r.verify_calls, r.overturn.judged,
          r.overturn.judged === 0 ? "-" : `${r.overturn.overturned} (${pct(r.overturn.rate)})`,
          r.overturn.judged === 0 ? "-" : `${pct(r.overturn.low)}–${pct(r.overturn.high)}`,
          cost(r.per_accepted_answer), cost(r.per_confirmed_finding),
        ]),
      ),
    );
    const cats = rungs.flatMap((r) => r.categories.filter((c) => c.judged > 0).map((c) => [r.rung, c.category, c.judged, `${c.overturned} (${pct(c.rate)})`, `${pct(c.low)}–${pct(c.high)}`, c.trusted ? "yes" : "no"]));
    if (cats.length > 0) {
      ctx.io.out("");
      ctx.io.out(`findings by category (trusted: at least ${opts.minJudged} judged and the interval's upper bound <= 5%; [verify] skip_when_trusted skips those)`);
      ctx.io.out(renderTable(["rung", "category", "judged", "overturned", "95% interval", "trusted"], cats));
    }
    return 0;
  } finally {
    kb.close();
  }
}

function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
