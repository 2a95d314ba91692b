/** The bench's tables for the terminal: one row per variant, recall per operator, and the history of earlier benches. */
import type { BenchRun } from "../../kb/servers";
import { renderTable } from "../cli/table";
import type { VariantResult } from "./measure";
import type { BenchResult } from "./run-bench";

const pct = (x: number | null): string | null => (x === null ? null : `${(x * 100).toFixed(0)}%`);
const num = (x: number | null, digits = 1): string | null => (x === null ? null : x.toFixed(digits));
const usd = (x: number | null): string | null => (x === null ? null : `$${x.toFixed(4)}`);

/** The headline table and the per-operator recall table of one bench. */
export function renderBench(result: BenchResult): string {
  const v = result.variants;
  const head = result.labels > 0
    ? `bench: ${result.labels} labels, ${result.files} file(s), ${result.lines} lines`
    : `bench: ${result.plants.length} planted defects, ${result.files} file(s), ${result.lines} lines, seed ${result.seed}`;
  const main = renderTable(
    ["variant", "found", "recall", "precision", "noise/kloc", "tokens", "cost", "$/TP", "per TP", "thin/invalid", "escal.", "unrev.", "ms/file", "stability"],
    v.map((r) => [
      r.variant,
      `${num(r.found, Number.isInteger(r.found) ? 0 : 1)}/${r.planted}`,
      pct(r.recall),
      pct(r.precision),
      num(r.noise_per_kloc),
      r.tokens,
      usd(r.cost_usd),
      usd(r.cost_per_tp),
      perTp(r),
      pct(r.details.thin_invalid_rate),
      r.details.escalations,
      r.details.unreviewed_files,
      num(r.details.latency_ms_per_file, 0),
      pct(r.stability),
    ]),
  );
  const honest = v.filter((r) => r.found === 0 && r.details.subject_tokens > 0).map(nothingFound);
  return [head, "", main, ...(honest.length > 0 ? ["", ...honest] : []), "", "recall by operator", renderTable(["operator", "planted", ...v.map((r) => r.variant)], operatorRows(v))].join("\n");
}

/**
 * What a true positive cost in tokens and model seconds: the price of a local rung, whose dollars are 0. A variant
 * that found nothing says so with what it spent, never a bare "-".
 */
export function perTp(r: Pick<VariantResult, "details">): string {
  const d = r.details;
  if (d.tokens_per_tp !== null && d.seconds_per_tp !== null) return `${Math.round(d.tokens_per_tp)} tok, ${d.seconds_per_tp.toFixed(1)} s`;
  if (d.subject_tokens === 0 && d.subject_seconds === 0) return "none found (nothing spent)";
  return `none found (${Math.round(d.subject_tokens)} tok, ${d.subject_seconds.toFixed(1)} s spent)`;
}

/** The plain statement a model variant that found nothing deserves. */
export function nothingFound(r: Pick<VariantResult, "variant" | "planted" | "details">): string {
  const d = r.details;
  return `${r.variant} found none of the ${r.planted} planted defects for ${Math.round(d.subject_tokens)} tokens and ${d.subject_seconds.toFixed(1)} s of model time: on this evidence its answers add nothing the static rung does not find`;
}

function operatorRows(variants: VariantResult[]): Array<Array<string | number | null>> {
  const ops = [...new Set(variants.flatMap((r) => Object.keys(r.details.recall_by_operator)))].sort();
  return ops.map((op) => [op, variants[0]?.details.recall_by_operator[op]?.planted ?? 0, ...variants.map((r) => pct(r.details.recall_by_operator[op]?.recall ?? null))]);
}

/** Earlier benches, one row per variant, newest bench last. */
export function renderHistory(rows: BenchRun[]): string {
  if (rows.length === 0) return "no bench runs yet; `scrum bench PATH` runs one";
  return renderTable(
    ["id", "started", "variant", "found", "recall", "precision", "noise/kloc", "tokens", "cost", "$/TP", "stability"],
    rows.map((r) => [r.id, r.started_at.replace("T", " ").slice(0, 19), r.rung, `${r.found}/${r.planted}`, pct(r.recall), pct(r.precision), num(r.noise_per_kloc), r.tokens, usd(r.cost_usd), usd(r.cost_per_tp), pct(r.stability)]),
  );
}
