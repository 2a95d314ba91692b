/**
 * The KB's disk filling (SQLITE_FULL) mid-run, and a failure after the sweep: the iteration is never left `running`,
 * the CLI says what happened naming the KB (exit 1, no stack trace), and `--resume` finishes it. SQLite's
 * max_page_count stands in for a full disk (the same SQLITE_FULL a full file system gives).
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Kb } from "../../kb/kb";
import { defaultConfig } from "../../pipeline/config/config";
import { explainIoFailure } from "../../pipeline/cli/io-errors";
import { runIteration, type RunOptions } from "../../pipeline/run/iteration";
import { StaticProvider } from "../../pipeline/providers/static";
import { ON_POSTGRES, testKb } from "../kb/postgres-server";

let dir: string;
let kbFile: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "scrum-full-"));
  kbFile = testKb(join(dir, "kb.db"));
  mkdirSync(join(dir, "src"));
  for (let i = 0; i < 40; i++) writeFileSync(join(dir, "src", `f${i}.ts`), `export function f${i}(x: number): number {\n  // TODO: check ${i}\n  return x * ${i};\n}\n`.repeat(20));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function options(kb: Kb, extra: Partial<RunOptions> = {}): RunOptions {
  return { config: defaultConfig(), kb, cwd: dir, inputs: ["src"], label: "full", offline: true, signal: new AbortController().signal, providerFor: () => new StaticProvider(), gitCommit: () => null, ...extra };
}

describe("disk full and failures after the sweep", () => {
  // The SQLite file's page cap stands for a full disk; a PostgreSQL server that stops mid-command is
  // tests/kb/engines.test.ts's "a server that stops mid-command".
  test.skipIf(ON_POSTGRES)("SQLITE_FULL mid-sweep: the error is explained naming the KB, the iteration is not left running, --resume finishes it", async () => {
    const kb = new Kb(kbFile);
    let failure: unknown;
    try {
      await runIteration(
        options(kb, {
          onEvent: (e) => {
            // The disk fills as the sweep starts: no page beyond those the KB has now.
            if (e.type === "start") kb.db.exec(`PRAGMA max_page_count = ${(kb.db.query("PRAGMA page_count").get() as { page_count: number }).page_count}`);
          },
        }),
      );
    } catch (e) {
      failure = e;
    }
    expect((failure as { code?: string })?.code).toBe("SQLITE_FULL");
    const explained = explainIoFailure(failure, { kb: kbFile } as never);
    expect(explained).toEqual({ code: 1, message: expect.stringContaining(`the disk holding the knowledge base ${kbFile} is full (SQLITE_FULL)`) });
    expect(explained!.message).toContain("scrum run --resume");
    const it = kb.iterations.all()[0]!;
    expect(it.status).toBe("aborted");
    kb.close();

    // Space again (a new connection has no page cap): the resume reviews what is missing and completes.
    const again = new Kb(kbFile);
    const resumed = await runIteration(options(again, { inputs: [], resume: String(it.id) }));
    expect(resumed.status).toBe("done");
    expect(resumed.files.total).toBe(40);
    expect(again.iterations.get(it.id)!.status).toBe("done");
    again.close();
  }, 60_000);

  test("a failure after the sweep (storing the state) marks the iteration aborted with the reason; --resume completes it", async () => {
    class FailingKb extends Kb {
      override completeIteration(): void {
        throw new Error("the state could not be stored");
      }
    }
    const kb = new FailingKb(kbFile);
    // Not `expect(promise).rejects`: bun's matcher ticks the event loop from inside itself, where the scheduler's
    // setImmediate waits for the next timer (oven-sh/bun#39103), and the sweep took 17 s instead of 0.1 s.
    const failure = await runIteration(options(kb)).then(() => null, (e: unknown) => e);
    expect(String(failure)).toMatch(/the state could not be stored/);
    const it = kb.iterations.all()[0]!;
    expect(it.status).toBe("aborted");
    expect(JSON.stringify(it)).toContain("the state could not be stored");
    kb.close();
    const again = new Kb(kbFile);
    const resumed = await runIteration(options(again, { inputs: [], resume: String(it.id) }));
    expect(resumed.status).toBe("done");
    expect(resumed.files.total).toBe(40);
    again.close();
  }, 60_000);
});
