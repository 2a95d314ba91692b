/** Ingest CSV exports of usage events into typed records; the first row is the header. */
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { stat } from "node:fs/promises";

export interface UsageEvent {
  accountId: string;
  metric: string;
  quantity: number;
  recordedAt: Date;
}

export interface IngestResult {
  source: string;
  events: UsageEvent[];
  rejectedRows: number;
}

const MAX_FILE_BYTES = 50 * 1024 * 1024;

/** Parse one CSV row `account,metric,quantity,iso-timestamp`. Throws on a malformed row. */
export function parseRow(row: string): UsageEvent {
  const cells = row.split(",").map((c) => c.trim());
  if (cells.length !== 4) throw new Error(`expected 4 cells, got ${cells.length}`);
  const [accountId, metric, quantity, recordedAt] = cells as [string, string, string, string];
  const amount = Number(quantity);
  if (!Number.isFinite(amount)) throw new Error(`quantity is not a number: ${quantity}`);
  const when = new Date(recordedAt);
  if (Number.isNaN(when.getTime())) throw new Error(`timestamp is not ISO 8601: ${recordedAt}`);
  return { accountId, metric, quantity: amount, recordedAt: when };
}

/** Read a CSV export and parse every data row. */
export async function ingestFile(path: string): Promise<IngestResult> {
  const info = await stat(path);
  if (info.size > MAX_FILE_BYTES) {
    throw new Error(`${path}: ${info.size} bytes is over the ${MAX_FILE_BYTES}-byte limit`);
  }
  const text = await readFile(path, "utf8");
  const events: UsageEvent[] = [];
  let rejectedRows = 0;
  for (const row of text.split("\n").slice(1)) {
    if (row.trim() === "") continue;
    try {
      events.push(parseRow(row));
    } catch (err) {
      // malformed rows are expected in vendor exports
    }
  }
  return { source: basename(path), events, rejectedRows };
}
