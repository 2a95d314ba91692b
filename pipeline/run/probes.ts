/** Probes: per-iteration metrics from the target tree ([[probe]] in routing.toml): a regex count or a command's number. */
import { resolve } from "node:path";
import type { ProbeConfig } from "../config/config";
import { ConfigError } from "../../domain/errors";
import { runShell, type ShellResult } from "./spawn";
import type { CountRequest } from "./probe-count";

export interface ProbeOutcome {
  name: string;
  value: number | null;
  /** Why the value is null, for a warning. */
  problem?: string;
}

/** How long a probe may take when its `timeout_s` is not given: a slow regex or command costs a null metric, never the run. */
export const PROBE_TIMEOUT_MS = 30_000;
/** Files larger than this are not searched by a pattern probe. */
const PROBE_MAX_FILE_BYTES = 5_000_000;
const COUNTER = resolve(import.meta.dir, "probe-count.ts");

export interface ProbeDeps {
  cwd: string;
  exclude: string[];
  /** Runs a shell command (with a time bound) and returns its exit code and stdout; injected for tests. */
  run?: (command: string, cwd: string, timeoutMs: number) => ShellResult & { timedOut?: boolean };
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

/** Run all probes against the working tree; each is bounded by its `timeout_s` (a probe past it is null, with a warning). */
export function runProbes(probes: ProbeConfig[], deps: ProbeDeps): ProbeOutcome[] {
  return probes.map((p) => (p.pattern !== undefined ? patternProbe(p, p.pattern, deps) : commandProbe(p, deps)));
}

function patternProbe(p: ProbeConfig, pattern: string, deps: ProbeDeps): ProbeOutcome {
  const timeoutMs = p.timeoutMs ?? PROBE_TIMEOUT_MS;
  const request: CountRequest = { cwd: deps.cwd, pattern, include: p.include, exclude: deps.exclude, maxFileBytes: PROBE_MAX_FILE_BYTES };
  // A child process, because a regular expression cannot be interrupted in this one (JavaScript has no regex timeout).
  const r = Bun.spawnSync([process.execPath, COUNTER, JSON.stringify(request)], { cwd: deps.cwd, stdout: "pipe", stderr: "pipe", timeout: timeoutMs, env: {} });
  if (r.exitedDueToTimeout) {
    return { name: p.name, value: null, problem: `probe "${p.name}": the pattern did not finish within ${timeoutMs / 1000} s (a regular expression that backtracks, or too many files); the metric is null. Simplify the pattern, narrow include, or raise timeout_s` };
  }
  const out = r.stdout.toString().trim();
  if (r.exitCode !== 0 || !/^\d+$/.test(out)) {
    return { name: p.name, value: null, problem: `probe "${p.name}": the pattern count failed (exit ${r.exitCode ?? r.signalCode}: ${r.stderr.toString().trim().split("\n").at(-1)?.slice(0, 200) ?? ""})` };
  }
  return { name: p.name, value: Number(out) };
}

function commandProbe(p: ProbeConfig, deps: ProbeDeps): ProbeOutcome {
  const timeoutMs = p.timeoutMs ?? PROBE_TIMEOUT_MS;
  const run = deps.run ?? runShell;
  const out = run(p.command!, deps.cwd, timeoutMs);
  if (out.timedOut) return { name: p.name, value: null, problem: `probe "${p.name}": \`${p.command}\` did not finish within ${timeoutMs / 1000} s and was stopped; the metric is null` };
  const numbers = out.stdout.trim().match(/-?\d+(\.\d+)?/g);
  const last = numbers?.[numbers.length - 1];
  if (last === undefined) {
    return { name: p.name, value: null, problem: `probe "${p.name}": \`${p.command}\` printed no number (exit ${out.code}${out.stderr ? `, stderr: ${out.stderr.trim().slice(0, 200)}` : ""})` };
  }
  return { name: p.name, value: Number(last) };
}
