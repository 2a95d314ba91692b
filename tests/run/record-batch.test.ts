import { describe, expect, test } from "bun:test";
import type { FileRecord } from "../../domain/records";
import { RecordBatch } from "../../pipeline/run/record-batch";

/** A record that only names its file: the batch never looks inside one. */
const rec = (path: string) => ({ review: { path } }) as unknown as FileRecord;
const paths = (records: readonly FileRecord[]) => records.map((r) => r.review.path);

describe("RecordBatch", () => {
  test("files added in the same turn are written in one call; the next turn starts a new batch", async () => {
    const writes: string[][] = [];
    const batch = new RecordBatch((records) => void writes.push(paths(records)));
    await Promise.all([batch.add(rec("a")), batch.add(rec("b")), batch.add(rec("c"))]);
    await batch.add(rec("d"));
    expect(writes).toEqual([["a", "b", "c"], ["d"]]);
  });

  test("nothing is stored before add resolves, and everything is once it has", async () => {
    const stored = new Set<string>();
    const batch = new RecordBatch((records) => paths(records).forEach((p) => stored.add(p)));
    const a = batch.add(rec("a"));
    expect(stored.size).toBe(0);
    await a;
    expect(stored).toEqual(new Set(["a"]));
  });

  test("when the shared write fails, each file is written alone: one file's failure is its own", async () => {
    const writes: string[][] = [];
    const batch = new RecordBatch((records) => {
      writes.push(paths(records));
      if (paths(records).includes("bad")) throw new Error("UNIQUE constraint failed");
    });
    const results = await Promise.allSettled([batch.add(rec("a")), batch.add(rec("bad")), batch.add(rec("c"))]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((results[1] as PromiseRejectedResult).reason.message).toBe("UNIQUE constraint failed");
    expect(writes).toEqual([["a", "bad", "c"], ["a"], ["bad"], ["c"]]);
  });

  test("a batch of one that fails is not written twice", async () => {
    let calls = 0;
    const batch = new RecordBatch(() => {
      calls++;
      throw new Error("disk full");
    });
    await expect(batch.add(rec("a"))).rejects.toThrow("disk full");
    expect(calls).toBe(1);
  });
});
