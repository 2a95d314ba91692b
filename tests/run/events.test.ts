import type { Iteration } from "../../domain/records";
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Attempt } from "../../domain/attempt";
import { eventRecorder, eventsFile, openEventStream, type EventRecord } from "../../pipeline/run/events";
import type { RunEvent } from "../../pipeline/run/iteration";

const ITERATION: Iteration = {
  id: 7, label: "iter-7", status: "running", started_at: "2026-01-01T00:00:00.000Z", finished_at: null, config_json: "{}",
  git_commit: null, targets: [], error: null, host: "h", pid: 1, heartbeat_at: null, partition: null, partition_json: null, group_name: null,
};

function attempt(rung: string, outcome: Attempt["outcome"], extra: Partial<Attempt> = {}): Attempt {
  return {
    shardIndex: 0, rung, model: `${rung}-model`, outcome, reason: outcome === "accepted" ? null : `${outcome} answer`, latencyMs: 12,
    tokensIn: 100, tokensOut: 50, costUsd: 0.001, format: "forensic_json", server: "http://127.0.0.1:1", purpose: "review",
    redactions: 2, promptSha: "abc", ...extra,
  };
}

/** The records of a sequence of events, with a clock that ticks a second per record. */
function record(events: RunEvent[]): EventRecord[] {
  let t = Date.parse("2026-01-01T00:00:00Z");
  const toRecords = eventRecorder({ now: () => new Date((t += 1000)) });
  return events.flatMap(toRecords);
}

const start: RunEvent = { type: "start", iterationId: 7, files: 1, rungs: ["cheap", "big"], iteration: ITERATION };
const attemptOn = (a: Attempt, path = "src/a.rs"): RunEvent => ({ type: "attempt", path, attempt: a });
const escalations = (records: EventRecord[]) => records.filter((r) => r.type === "escalation");

describe("eventRecorder", () => {
  test("records are numbered and stamped; the iteration id is null until the iteration starts", () => {
    const out = record([{ type: "warning", message: "rung cheap: unreachable" }, start, attemptOn(attempt("cheap", "accepted"))]);
    expect(out.map((r) => [r.seq, r.type, r.iteration_id])).toEqual([[1, "warning", null], [2, "iteration_started", 7], [3, "attempt", 7]]);
    expect(out.map((r) => r.at)).toEqual(["2026-01-01T00:00:01.000Z", "2026-01-01T00:00:02.000Z", "2026-01-01T00:00:03.000Z"]);
  });

  test("an attempt record is the KB's attempts row of the attempt, field for field", () => {
    const [, a] = record([start, attemptOn(attempt("cheap", "thin"))]);
    expect(a).toMatchObject({
      type: "attempt",
      path: "src/a.rs",
      attempt: {
        iteration_id: 7, path: "src/a.rs", shard_index: 0, rung: "cheap", model: "cheap-model", outcome: "thin", reason: "thin answer",
        latency_ms: 12, tokens_in: 100, tokens_out: 50, cost_usd: 0.001, output_format: "forensic_json", server: "http://127.0.0.1:1",
        purpose: "review", redactions: 2, prompt_sha: "abc",
      },
    });
  });

  test("a climb after a rejected answer is an escalation, listed before the next rung's attempt, with the reason", () => {
    const out = record([start, attemptOn(attempt("cheap", "thin")), attemptOn(attempt("big", "accepted"))]);
    expect(out.map((r) => r.type)).toEqual(["iteration_started", "attempt", "escalation", "attempt"]);
    expect(out[2]).toMatchObject({ path: "src/a.rs", shard_index: 0, from_rung: "cheap", to_rung: "big", reason: "thin: thin answer" });
  });

  test.each([
    ["a retry on the same rung", [attempt("cheap", "error"), attempt("cheap", "accepted")]],
    ["a consensus vote after an accepted answer", [attempt("cheap", "accepted"), attempt("big", "accepted")]],
    ["another rung after a cached answer", [attempt("cheap", "cached"), attempt("big", "accepted")]],
    ["the reduce pass", [attempt("cheap", "thin", { purpose: "reduce", shardIndex: -1 }), attempt("big", "accepted", { purpose: "reduce", shardIndex: -1 })]],
    ["another shard of the file", [attempt("cheap", "thin"), attempt("big", "accepted", { shardIndex: 1 })]],
  ] as const)("%s is no escalation", (_name, attempts) => {
    expect(escalations(record([start, ...attempts.map((a) => attemptOn(a))]))).toEqual([]);
  });

  test("attempts of different files interleaved are kept apart", () => {
    const out = record([start, attemptOn(attempt("cheap", "thin"), "a.rs"), attemptOn(attempt("cheap", "accepted"), "b.rs"), attemptOn(attempt("big", "accepted"), "a.rs")]);
    expect(escalations(out).map((e) => e.type === "escalation" && e.path)).toEqual(["a.rs"]);
  });
});

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe("eventsFile", () => {
  test("each record is on disk as soon as it is written, one JSON object a line; a second run appends", () => {
    dir = mkdtempSync(join(tmpdir(), "scrum-events-"));
    const path = join(dir, "run.jsonl");
    const [first, second] = record([start, { type: "warning", message: "w" }]);
    const sink = eventsFile(path);
    sink.write(first!);
    // Read while still open: nothing is buffered in the process.
    expect(readFileSync(path, "utf8")).toBe(`${JSON.stringify(first)}\n`);
    sink.write(second!);
    sink.close();
    const again = eventsFile(path);
    again.write(first!);
    again.close();
    expect(readFileSync(path, "utf8").trimEnd().split("\n").map((l) => JSON.parse(l).seq)).toEqual([1, 2, 1]);
  });

  test("a path that cannot be opened is a usage error naming it", () => {
    expect(() => eventsFile("/nonexistent-dir/x/run.jsonl")).toThrow(/--events \/nonexistent-dir\/x\/run\.jsonl: cannot open/);
  });
});

describe("openEventStream", () => {
  test("with neither a file nor an observer it records nothing and closes with no tally", async () => {
    const stream = openEventStream({});
    stream.emit(start);
    expect(await stream.close()).toBeNull();
  });

  test("the file gets the records of every event emitted", async () => {
    dir = mkdtempSync(join(tmpdir(), "scrum-events-"));
    const path = join(dir, "run.jsonl");
    const stream = openEventStream({ file: path, now: () => new Date(0) });
    stream.emit(start);
    stream.emit(attemptOn(attempt("cheap", "thin")));
    stream.emit(attemptOn(attempt("big", "accepted")));
    await stream.close();
    expect(readFileSync(path, "utf8").trimEnd().split("\n").map((l) => JSON.parse(l).type)).toEqual(["iteration_started", "attempt", "escalation", "attempt"]);
  });
});
