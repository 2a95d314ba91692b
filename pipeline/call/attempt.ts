/** How an answer is judged (the attempt it leaves behind is the domain's: domain/attempt.ts). */
import type { OutputFormat } from "../../domain/attempt";

/** How a rung's answer is judged: accepted with a value, or rejected as thin/invalid with a reason. */
export type Judgement<T> =
  | { outcome: "accepted"; value: T; format: OutputFormat | null; notes: string[] }
  | { outcome: "thin" | "invalid" | "refused"; reason: string; format: OutputFormat | null };
