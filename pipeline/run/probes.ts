/** Probes: per-iteration metrics from the target tree ([[probe]] in routing.toml): a regex count or a command's number. */
import { readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import type { ProbeConfig } from "../config/config";
import { ConfigError } from "../errors";
import { runShell } from "./spawn";

export interface ProbeOutcome {
  name: string;
  value: number | null;
  /** Why the value is null, for a warning. */
  problem?: string;
}

export interface ProbeDeps {
  cwd: string;
  exclude: string[];
  /** Runs a shell command and returns its exit code and stdout; injected for tests. */
  run?: (command: string, cwd: string) => { code: number; stdout: string; stderr: string };
}

/** Compile every pattern probe's regex up front so a bad pattern is a config error before the iteration starts. */
export function checkProbes(probes: ProbeConfig[]): void {
  for (const p of probes) {
    if (p.pattern === undefined) continue;
    try {
      new RegExp(p.pattern, "g");
    } catch (e) {
      throw new ConfigError(`[[probe]] "${p.name}": pattern is not a valid regular expression (${(e as Error).message})`);
    }
  }
}

/** Run all probes against the working tree. */
export function runProbes(probes: ProbeConfig[], deps: ProbeDeps): ProbeOutcome[] {
  return probes.map((p) => (p.pattern !== undefined ? patternProbe(p, p.pattern, deps) : commandProbe(p, deps)));
}

function patternProbe(p: ProbeConfig, pattern: string, deps: ProbeDeps): ProbeOutcome {
  const re = new RegExp(pattern, "g");
  const excludes = deps.exclude.map((g) => new Bun.Glob(g));
  let hits = 0;
  for (const include of p.include) {
    for (const rel of new Bun.Glob(include).scanSync({ cwd: deps.cwd, onlyFiles: true })) {
      if (excludes.some((g) => g.match(rel))) continue;
      const abs = resolve(deps.cwd, rel);
      if (statSync(abs).size > 5_000_000) continue;
      const text = readFileSync(abs, "utf8");
      hits += text.match(re)?.length ?? 0;
    }
  }
  return { name: p.name, value: hits };
}

function commandProbe(p: ProbeConfig, deps: ProbeDeps): ProbeOutcome {
  const run = deps.run ?? runShell;
  const out = run(p.command!, deps.cwd);
  const numbers = out.stdout.trim().match(/-?\d+(\.\d+)?/g);
  const last = numbers?.[numbers.length - 1];
  if (last === undefined) {
    return { name: p.name, value: null, problem: `probe "${p.name}": \`${p.command}\` printed no number (exit ${out.code}${out.stderr ? `, stderr: ${out.stderr.trim().slice(0, 200)}` : ""})` };
  }
  return { name: p.name, value: Number(last) };
}


