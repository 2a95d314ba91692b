/**
 * The thread that talks to PostgreSQL for kb/postgres/engine.ts. It holds one connection (a transaction is the
 * connection's), runs each request the main thread posts, posts the answer back and wakes the main thread, which
 * waits on the shared flag (the KB's callers are synchronous, as bun:sqlite is).
 */
import { parentPort, workerData } from "node:worker_threads";
import postgres from "postgres";
import type { ReplyBody, Request } from "./engine";

const { url, flag: shared, port, search_path } = workerData as { url: string; flag: SharedArrayBuffer; port: MessagePort; search_path: string | null };
const flag = new Int32Array(shared);
// bigint (20) and numeric (1700) read as numbers: counts, sums and rounded averages are numbers in both engines.
const number = { to: 0, from: [20, 1700], serialize: (x: unknown) => String(x), parse: (x: string) => Number(x) };
const sql = postgres(url, {
  max: 1,
  connect_timeout: 10,
  idle_timeout: 0,
  onnotice: () => {},
  types: { number } as never,
  ...(search_path ? { connection: { search_path } } : {}),
});

function answer(reply: ReplyBody, seq: number): void {
  port.postMessage({ ...reply, seq });
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}

port.on("message", async (request: Request) => {
  try {
    if (request.op === "end") {
      await sql.end({ timeout: 5 });
      answer({ ok: true, rows: [], count: 0 }, request.seq);
      return;
    }
    const result = request.op === "exec" ? await sql.unsafe(request.sql).simple() : await sql.unsafe(request.sql, request.params as never[]);
    answer({ ok: true, rows: request.op === "exec" ? [] : [...result], count: result.count ?? 0 }, request.seq);
  } catch (e) {
    const err = e as Error & { code?: string };
    answer({ ok: false, message: err.message, code: err.code ?? null }, request.seq);
  }
});
parentPort?.unref();
