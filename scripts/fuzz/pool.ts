/**
 * Runs fuzz cases in worker processes (scripts/fuzz/worker.ts), each case bounded in time: a case past the bound is
 * a hang (its worker is killed and a new one takes the rest), a worker that dies mid-case is a crash of that case.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { FuzzCase } from "./generate";
import type { CaseResult } from "./run-case";
import type { Sandbox } from "./sandbox";

const WORKER = resolve(import.meta.dir, "worker.ts");

export interface PoolOptions {
  sandbox: Sandbox;
  workers: number;
  /** Longest a case may take before it counts as a hang. */
  boundMs: number;
  onResult?: (r: CaseResult) => void;
}

/** Run every case; results come back in the cases' order. */
export async function runPool(cases: FuzzCase[], options: PoolOptions): Promise<CaseResult[]> {
  const results = new Map<string, CaseResult>();
  const record = (r: CaseResult) => {
    results.set(r.id, r);
    options.onResult?.(r);
  };
  const queues: FuzzCase[][] = Array.from({ length: Math.max(1, options.workers) }, () => []);
  cases.forEach((c, i) => queues[i % queues.length]!.push(c));
  const scratch = mkdtempSync(join(tmpdir(), "scrum-fuzz-queue-"));
  try {
    await Promise.all(queues.map((q, w) => drain(q, w)));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return cases.map((c) => results.get(c.id)!);

  async function drain(queue: FuzzCase[], w: number): Promise<void> {
    let rest = queue.filter((c) => !results.has(c.id));
    while (rest.length > 0) {
      const file = join(scratch, `w${w}.json`);
      writeFileSync(file, JSON.stringify(rest));
      await runWorker(file, rest);
      rest = rest.filter((c) => !results.has(c.id));
    }
  }

  async function runWorker(file: string, batch: FuzzCase[]): Promise<void> {
    const proc = Bun.spawn([process.execPath, WORKER, file, options.sandbox.dir], { stdout: "pipe", stderr: "pipe" });
    let current: string | null = null;
    let since = performance.now();
    let killed: "hang" | null = null;
    const timer = setInterval(() => {
      if (current !== null && performance.now() - since > options.boundMs) {
        killed = "hang";
        record({ id: current, code: -1, ms: Math.round(performance.now() - since), failure: "hang", stderr: `no answer within ${options.boundMs} ms` });
        current = null;
        proc.kill("SIGKILL");
      }
    }, 100);
    const stderrText = new Response(proc.stderr).text();
    const decoder = new TextDecoder();
    let buffered = "";
    for await (const chunk of proc.stdout) {
      buffered += decoder.decode(chunk, { stream: true });
      let nl: number;
      while ((nl = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (!line.startsWith("FUZZ\t")) continue;
        const msg = JSON.parse(line.slice(5)) as { start?: string; done?: CaseResult; crash?: string | null; message?: string };
        if (msg.start !== undefined) {
          current = msg.start;
          since = performance.now();
        } else if (msg.done !== undefined) {
          if (!results.has(msg.done.id)) record(msg.done);
          current = null;
        } else if (msg.crash !== undefined && msg.crash !== null && !results.has(msg.crash)) {
          record({ id: msg.crash, code: -1, ms: Math.round(performance.now() - since), failure: "crash", stderr: (msg.message ?? "").slice(0, 3000) });
          current = null;
        }
      }
    }
    await proc.exited;
    clearInterval(timer);
    if (current !== null && !results.has(current) && killed === null) {
      record({ id: current, code: proc.exitCode ?? -1, ms: Math.round(performance.now() - since), failure: "crash", stderr: `worker died (exit ${proc.exitCode}): ${(await stderrText).slice(-2000)}` });
    }
    // A worker that died before its first case (a broken build) must not loop for ever.
    if (batch.every((c) => !results.has(c.id))) {
      for (const c of batch) record({ id: c.id, code: -1, ms: 0, failure: "crash", stderr: `worker produced nothing: ${(await stderrText).slice(-2000)}` });
    }
  }
}
