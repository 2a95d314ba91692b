/** The labelled sample: a seeded random draw of findings per rule, and the join with the hand-written labels. */
import { existsSync, readFileSync } from "node:fs";
import type { CorpusFinding } from "./scan-corpus";
import { seededRandom } from "../../pipeline/bench/random";

export interface Label {
  repo: string;
  path: string;
  line: number;
  rule: string;
  evidence: string;
  label: boolean;
  reason: string;
}

/** The join key of a finding and its label. */
export function labelKey(f: { repo: string; path: string; line: number; rule: string; evidence: string }): string {
  return [f.repo, f.path, f.line, f.rule, f.evidence].join("\u0000");
}


/** Up to `perRule` findings of each rule, drawn with `seed` from the findings in key order. */
export function sampleFindings(findings: CorpusFinding[], perRule: number, seed: number): Map<string, CorpusFinding[]> {
  const byRule = new Map<string, CorpusFinding[]>();
  for (const f of [...findings].sort((a, b) => labelKey(a).localeCompare(labelKey(b)))) {
    byRule.set(f.rule, [...(byRule.get(f.rule) ?? []), f]);
  }
  const out = new Map<string, CorpusFinding[]>();
  for (const [rule, list] of [...byRule].sort(([a], [b]) => a.localeCompare(b))) {
    const next = seededRandom(seed);
    const shuffled = [...list];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j] as CorpusFinding, shuffled[i] as CorpusFinding];
    }
    out.set(rule, shuffled.slice(0, perRule));
  }
  return out;
}

/** Read labels.jsonl; a malformed line is an error naming the line. */
export function readLabels(file: string): Map<string, Label> {
  const labels = new Map<string, Label>();
  if (!existsSync(file)) return labels;
  readFileSync(file, "utf8").split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    const l = JSON.parse(line) as Label;
    if (typeof l.label !== "boolean" || typeof l.reason !== "string" || l.reason.trim() === "") {
      throw new Error(`${file}:${i + 1}: a label needs "label": true|false and a one-line "reason"`);
    }
    labels.set(labelKey(l), l);
  });
  return labels;
}
