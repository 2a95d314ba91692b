/**
 * A synchronous PostgreSQL engine for the KB. The KB's callers are synchronous (bun:sqlite is), and PostgreSQL
 * clients are not; so one worker thread (kb/postgres/worker.ts) holds the connection and the main thread waits for
 * each answer on a shared flag (Atomics.wait), then takes it from the message port (receiveMessageOnPort).
 * Transactions are BEGIN/COMMIT on that one connection; a nested one is a savepoint, as in bun:sqlite.
 */
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from "node:worker_threads";
import type { Binding, Bindings, Engine, Statement, Transaction } from "../engine";
import { translate, type Translated } from "./translate";

/** A request to the thread; `seq` comes back with its reply, so a late reply to an earlier request is never taken for this one's. */
export type RequestBody = { op: "query"; sql: string; params: Binding[] } | { op: "exec"; sql: string } | { op: "end" };
export type Request = RequestBody & { seq: number };
export type ReplyBody = { ok: true; rows: Record<string, unknown>[]; count: number } | { ok: false; message: string; code: string | null };
export type Reply = ReplyBody & { seq: number };

/** An error PostgreSQL answered with (its SQLSTATE in `code`), or one reaching it. */
export class PostgresError extends Error {
  constructor(message: string, readonly code: string | null) {
    super(message);
    this.name = "PostgresError";
  }
}

/** How long one statement may take before the KB gives up on the server (a lock held elsewhere, a lost server). */
const STATEMENT_WAIT_MS = 300_000;

export class PostgresEngine implements Engine {
  readonly dialect = "postgres" as const;
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
  /** Never notified: waiting on it is a short sleep while a reply is on its way to the port. */
  private readonly pause = new Int32Array(new SharedArrayBuffer(4));
  private seq = 0;
  private readonly statements = new Map<string, Translated>();
  private depth = 0;
  private closed = false;

  /** `url` may end in `?schema=NAME`: the KB's tables live in that schema (made if missing), so one database holds several KBs. */
  constructor(url: string) {
    const parsed = new URL(url);
    const schema = parsed.searchParams.get("schema");
    parsed.searchParams.delete("schema");
    if (schema !== null && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new PostgresError(`schema "${schema}" in the KB URL: use lowercase letters, digits and _`, null);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(new URL("./worker.ts", import.meta.url), {
      workerData: { url: parsed.toString(), flag: this.flag.buffer, port: port2, search_path: schema },
      transferList: [port2],
    });
    this.worker.unref();
    if (schema !== null) this.exec(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  }

  get inTransaction(): boolean {
    return this.depth > 0;
  }

  private call(body: RequestBody): Extract<Reply, { ok: true }> {
    if (this.closed) throw new PostgresError("the knowledge base is closed", null);
    const seq = ++this.seq;
    Atomics.store(this.flag, 0, 0);
    this.port.postMessage({ ...body, seq });
    const deadline = Date.now() + STATEMENT_WAIT_MS;
    for (;;) {
      // The thread raises the flag after posting; the reply can reach the port a moment after the flag does.
      const message = receiveMessageOnPort(this.port)?.message as Reply | undefined;
      if (message?.seq === seq) {
        if (!message.ok) throw new PostgresError(message.message, message.code);
        return message;
      }
      if (message !== undefined) continue; // a late reply to a request that timed out
      if (Date.now() > deadline) throw new PostgresError(`PostgreSQL did not answer within ${STATEMENT_WAIT_MS / 1000} s`, null);
      if (Atomics.load(this.flag, 0) === 0) Atomics.wait(this.flag, 0, 0, Math.max(1, deadline - Date.now()));
      else Atomics.wait(this.pause, 0, 0, 1);
    }
  }

  query(sql: string): Statement {
    let t = this.statements.get(sql);
    if (!t) this.statements.set(sql, (t = translate(sql)));
    const translated = t;
    const run = (params: Bindings) => this.call({ op: "query", sql: translated.sql, params: translated.bind(params) });
    return {
      all: (...params) => run(params).rows,
      get: (...params) => run(params).rows[0] ?? null,
      run: (...params) => {
        const reply = run(params);
        const id = translated.returnsId ? Number(reply.rows.at(-1)?.id ?? 0) : 0;
        return { changes: reply.count, lastInsertRowid: id };
      },
    };
  }

  exec(sql: string): void {
    this.call({ op: "exec", sql });
  }

  transaction<T>(fn: () => T): Transaction<T> {
    const wrapped = () => {
      const savepoint = this.depth > 0 ? `scrum_sp_${this.depth}` : null;
      this.exec(savepoint ? `SAVEPOINT ${savepoint}` : "BEGIN");
      this.depth += 1;
      try {
        const result = fn();
        this.depth -= 1;
        this.exec(savepoint ? `RELEASE SAVEPOINT ${savepoint}` : "COMMIT");
        return result;
      } catch (e) {
        this.depth -= 1;
        try {
          this.exec(savepoint ? `ROLLBACK TO SAVEPOINT ${savepoint}` : "ROLLBACK");
        } catch {
          // The connection is gone: the server rolled the transaction back.
        }
        throw e;
      }
    };
    return Object.assign(wrapped, { immediate: wrapped });
  }

  beginSnapshot(): void {
    this.exec("BEGIN ISOLATION LEVEL REPEATABLE READ");
    this.depth += 1;
    // The snapshot starts at the first read; take it now.
    this.query("SELECT 1").get();
  }

  close(): void {
    if (this.closed) return;
    try {
      if (this.depth > 0) this.exec("ROLLBACK");
      this.call({ op: "end" });
    } catch {
      // Closing a KB whose server is gone: nothing to keep.
    } finally {
      this.closed = true;
      this.depth = 0;
      void this.worker.terminate();
    }
  }
}
