/**
 * Files that finish in the same turn of the event loop are stored in one KB transaction. Answers are judged in
 * batches (pipeline/call/answer-batch.ts), so the files of a batch finish together; one commit for all of them writes
 * the pages every file touches (the tables' last leaves, their indexes', sqlite_sequence) to the WAL once instead of
 * once a file: at 16 files a commit, 35 `pwrite` calls a file become about 8 and the KB's CPU a file about halves
 * (docs/PERFORMANCE.md, eighth pass; a sweep's batches hold 6-7 files at C = 16).
 *
 * A file is stored before the next turn begins, so what a crash can lose is what it lost before: files in flight.
 * When the shared transaction fails (one file's row conflicts, the disk is full), nothing of it was written and each
 * file is stored again on its own, so one file's failure is that file's alone, as it was.
 */
import type { FileRecord } from "../../domain/records";

interface Waiting {
  record: FileRecord;
  resolve: () => void;
  reject: (e: unknown) => void;
}

export class RecordBatch {
  private waiting: Waiting[] = [];

  /** `write` stores several records atomically (Kb.recordFiles, bound to the iteration). */
  constructor(private readonly write: (records: readonly FileRecord[]) => void) {}

  /** Resolves once the record is stored; rejects with what storing it alone threw. */
  add(record: FileRecord): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.waiting.length === 0) setImmediate(() => this.flush());
      this.waiting.push({ record, resolve, reject });
    });
  }

  private flush(): void {
    const batch = this.waiting;
    this.waiting = [];
    try {
      this.write(batch.map((w) => w.record));
    } catch (e) {
      if (batch.length === 1) return batch[0]!.reject(e);
      for (const w of batch) {
        try {
          this.write([w.record]);
          w.resolve();
        } catch (one) {
          w.reject(one);
        }
      }
      return;
    }
    for (const w of batch) w.resolve();
  }
}
