/**
 * The usage pipeline: raw vendor events → normalised events → deduplicated → aggregated per billing window →
 * priced against the price book → invoice lines. Every stage is a plain function over plain data.
 */
import type { LineItem } from "./billing";

export interface RawEvent {
  id?: string;
  account?: string;
  metric?: string;
  quantity?: number | string;
  timestamp?: string | number;
  source: string;
}

export interface UsageEvent {
  id: string;
  accountId: string;
  metric: string;
  quantity: number;
  at: Date;
  source: string;
}

export type BillingWindow = "hour" | "day" | "month";

export interface UsageAggregate {
  accountId: string;
  metric: string;
  windowStart: Date;
  quantity: number;
  events: number;
}

export interface PriceTier {
  /** Units up to and including this count are charged at `unitPriceCents`; `null` means no upper bound. */
  upTo: number | null;
  unitPriceCents: number;
}

export interface PriceBook {
  currency: "EUR" | "USD" | "GBP";
  metrics: Record<string, PriceTier[]>;
}

export interface PipelineOptions {
  window: BillingWindow;
  priceBook: PriceBook;
  /** Events older than this are rejected as late arrivals. */
  notBefore: Date;
  now: () => Date;
}

export interface PipelineResult {
  lines: Map<string, LineItem[]>;
  rejected: Array<{ event: RawEvent; reason: string }>;
  duplicates: number;
}

const METRIC_NAME = /^[a-z][a-z0-9_]{1,63}$/;

/** Turn a vendor's raw event into a typed event, or explain why it cannot be billed. */
export function normalizeEvent(raw: RawEvent): UsageEvent | { reason: string } {
  if (!raw.id) return { reason: "missing event id" };
  if (!raw.account) return { reason: "missing account" };
  const metric = (raw.metric ?? "").trim().toLowerCase();
  if (!METRIC_NAME.test(metric)) return { reason: `metric name not billable: ${JSON.stringify(raw.metric)}` };
  const quantity = typeof raw.quantity === "string" ? Number(raw.quantity) : raw.quantity;
  if (quantity === undefined || !Number.isFinite(quantity) || quantity < 0) {
    return { reason: `quantity must be a non-negative number, got ${JSON.stringify(raw.quantity)}` };
  }
  const at = typeof raw.timestamp === "number" ? new Date(raw.timestamp * 1000) : new Date(raw.timestamp ?? "");
  if (Number.isNaN(at.getTime())) return { reason: `timestamp does not parse: ${JSON.stringify(raw.timestamp)}` };
  return { id: raw.id, accountId: raw.account, metric, quantity, at, source: raw.source };
}

/** Keep the first event of each (source, id) pair; vendors resend whole files after a timeout. */
export function dedupeEvents(events: UsageEvent[]): { unique: UsageEvent[]; duplicates: number } {
  const seen = new Set<string>();
  const unique: UsageEvent[] = [];
  for (const event of events) {
    const key = `${event.source}\u0000${event.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(event);
  }
  return { unique, duplicates: events.length - unique.length };
}

/** Start of the billing window holding `at`, in UTC. */
export function windowStart(at: Date, window: BillingWindow): Date {
  const start = new Date(at.getTime());
  switch (window) {
    case "hour":
      start.setUTCMinutes(0, 0, 0);
      return start;
    case "day":
      start.setUTCHours(0, 0, 0, 0);
      return start;
    case "month":
      start.setUTCDate(1);
      start.setUTCHours(0, 0, 0, 0);
      return start;
  }
}

/** Sum quantities per account, metric and billing window. The output is sorted so runs are reproducible. */
export function aggregateUsage(events: UsageEvent[], window: BillingWindow): UsageAggregate[] {
  const buckets = new Map<string, UsageAggregate>();
  for (const event of events) {
    const start = windowStart(event.at, window);
    const key = `${event.accountId}|${event.metric}|${start.toISOString()}`;
    const bucket = buckets.get(key);
    if (bucket) {
      bucket.quantity += event.quantity;
      bucket.events += 1;
    } else {
      buckets.set(key, { accountId: event.accountId, metric: event.metric, windowStart: start, quantity: event.quantity, events: 1 });
    }
  }
  return [...buckets.values()].sort(
    (a, b) =>
      a.accountId.localeCompare(b.accountId) ||
      a.metric.localeCompare(b.metric) ||
      a.windowStart.getTime() - b.windowStart.getTime(),
  );
}

/** Price `quantity` units against graduated tiers: each tier charges only the units that fall inside it. */
export function priceTiered(quantity: number, tiers: PriceTier[]): number {
  let remaining = quantity;
  let previousBound = 0;
  let cents = 0;
  for (const tier of tiers) {
    if (remaining <= 0) break;
    const span = tier.upTo === null ? remaining : Math.min(remaining, tier.upTo - previousBound);
    if (span <= 0) continue;
    cents += span * tier.unitPriceCents;
    remaining -= span;
    previousBound = tier.upTo ?? previousBound;
  }
  if (remaining > 0) {
    throw new RangeError(`price tiers end at ${previousBound} units but ${quantity} were used; add an open-ended tier`);
  }
  return Math.round(cents);
}

/** One invoice line per aggregate, grouped by account. Metrics missing from the price book are an error, not free. */
export function priceUsage(aggregates: UsageAggregate[], priceBook: PriceBook): Map<string, LineItem[]> {
  const lines = new Map<string, LineItem[]>();
  for (const agg of aggregates) {
    const tiers = priceBook.metrics[agg.metric];
    if (!tiers) throw new Error(`metric ${agg.metric} has no price in the ${priceBook.currency} price book`);
    const cents = priceTiered(agg.quantity, tiers);
    const item: LineItem = {
      sku: `${agg.metric}@${agg.windowStart.toISOString().slice(0, 10)}`,
      description: `${agg.quantity} ${agg.metric} (${agg.events} events)`,
      unitPriceCents: cents,
      quantity: 1,
    };
    const forAccount = lines.get(agg.accountId);
    if (forAccount) forAccount.push(item);
    else lines.set(agg.accountId, [item]);
  }
  return lines;
}

export interface RetryOptions {
  attempts: number;
  baseDelayMs: number;
  sleep: (ms: number) => Promise<void>;
  /** Only errors this accepts are retried; others are thrown at once. */
  retryable: (error: unknown) => boolean;
}

/** Call `fn` until it succeeds, backing off exponentially; the last error is thrown with every earlier one attached. */
export async function retryWithBackoff<T>(fn: () => Promise<T>, options: RetryOptions): Promise<T> {
  const errors: unknown[] = [];
  for (let attempt = 0; attempt < options.attempts; attempt++) {
    try {
      return await fn();
    } catch (error) {
      errors.push(error);
      if (!options.retryable(error) || attempt === options.attempts - 1) {
        throw new AggregateError(errors, `gave up after ${attempt + 1} attempt(s)`);
      }
      await options.sleep(options.baseDelayMs * 2 ** attempt);
    }
  }
  throw new RangeError(`attempts must be at least 1, got ${options.attempts}`);
}

/** Split `items` into consecutive chunks of at most `size`. */
export function chunk<T>(items: T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`chunk size must be a positive integer, got ${size}`);
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/** The whole pipeline for one batch of raw events. Late and malformed events are returned with their reason. */
export function runPipeline(raw: RawEvent[], options: PipelineOptions): PipelineResult {
  const rejected: PipelineResult["rejected"] = [];
  const accepted: UsageEvent[] = [];
  const horizon = options.now().getTime();
  for (const event of raw) {
    const normalized = normalizeEvent(event);
    if ("reason" in normalized) {
      rejected.push({ event, reason: normalized.reason });
    } else if (normalized.at < options.notBefore) {
      rejected.push({ event, reason: `late arrival: ${normalized.at.toISOString()} is before the billing period` });
    } else if (normalized.at.getTime() > horizon) {
      rejected.push({ event, reason: `timestamp is in the future: ${normalized.at.toISOString()}` });
    } else {
      accepted.push(normalized);
    }
  }
  const { unique, duplicates } = dedupeEvents(accepted);
  const lines = priceUsage(aggregateUsage(unique, options.window), options.priceBook);
  return { lines, rejected, duplicates };
}

export interface WarehouseTarget {
  url: string;
  table: string;
  batchSize: number;
}

/** Load priced invoice lines into the analytics warehouse, in batches of `target.batchSize`. */
export async function exportToWarehouse(lines: Map<string, LineItem[]>, target: WarehouseTarget): Promise<number> {
  throw new Error("not implemented");
}
