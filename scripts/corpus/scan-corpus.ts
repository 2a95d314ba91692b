/** Run one engine over the corpus: every finding with its repo, path and rule, the skipped files, and the scan time. */
import { relative } from "node:path";
import type { Engine, EngineFinding } from "./engine";

/** One finding of the static rung, keyed as the labels are (repo, path, line, rule, evidence). */
export interface CorpusFinding {
  repo: string;
  path: string;
  line: number;
  rule: string;
  category: string;
  severity: string;
  evidence: string;
}

export interface ScannedShard {
  path: string;
  language: string;
  lineStart: number;
  text: string;
}

export interface CorpusScan {
  findings: CorpusFinding[];
  files: number;
  skipped: Array<{ repo: string; path: string; reason: string }>;
  lines: number;
  bytes: number;
  /** Every shard scanned, as scanShard got it (the speed rounds replay them). */
  shards: ScannedShard[];
  /** Time inside scanShard only (the rung's work), and sharding + scanning together. */
  scanMs: number;
  totalMs: number;
}

/**
 * Scan every file of each repo folder; the rule of a finding is its `rule` field (older engines: from the title).
 * With `injections`, the whole-file injection check runs on each file too (its findings are `prompt-injection`).
 */
export async function scanCorpus(engine: Engine, repos: Array<{ name: string; dir: string }>, options: { injections?: boolean } = {}): Promise<CorpusScan> {
  const out: CorpusScan = { findings: [], shards: [], files: 0, skipped: [], lines: 0, bytes: 0, scanMs: 0, totalMs: 0 };
  const started = performance.now();
  for (const repo of repos) {
    for (const abs of engine.collect(repo.dir)) {
      const path = relative(repo.dir, abs);
      const read = engine.read(abs, repo.dir);
      if ("skipped" in read) {
        out.skipped.push({ repo: repo.name, path, reason: read.skipped });
        continue;
      }
      out.files += 1;
      out.lines += read.text.split("\n").length;
      out.bytes += Buffer.byteLength(read.text);
      const plan = await engine.shard(path, read.text);
      if (options.injections && engine.injections) {
        for (const f of await engine.injections(plan.language, read.text)) {
          out.findings.push({ repo: repo.name, path, line: f.line_start, rule: f.rule ?? "prompt-injection", category: "risk_points", severity: f.severity, evidence: f.evidence });
        }
      }
      for (const s of plan.shards) {
        const shard = { path, language: plan.language, lineStart: s.lineStart, text: s.text };
        out.shards.push(shard);
        const t0 = performance.now();
        const verdict = await engine.scan(shard);
        out.scanMs += performance.now() - t0;
        for (const [category, list] of Object.entries(verdict)) {
          if (!Array.isArray(list) || category === "verified_components" || category === "required_next_actions") continue;
          for (const f of list as EngineFinding[]) {
            const rule = f.rule ?? /\[([\w-]+)\]$/.exec(f.title ?? "")?.[1] ?? "unknown";
            out.findings.push({ repo: repo.name, path, line: f.line_start, rule, category, severity: f.severity, evidence: f.evidence });
          }
        }
      }
    }
  }
  out.totalMs = performance.now() - started;
  return out;
}
