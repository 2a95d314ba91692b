/** Reads what a real model would read in the prompts: the numbered shard (pipeline/review/prompt.ts) and reduce payloads. */

export interface CodeLine {
  /** The file line number printed before the code. */
  line: number;
  text: string;
}

export interface ShardPrompt {
  path: string;
  language: string;
  /** 1-based, as printed ("Shard K of N"). */
  shard: number;
  shards: number;
  lineStart: number;
  lineEnd: number;
  code: CodeLine[];
}

const FILE_LINE = /^File: (.+) \(([^()]*)\)$/;
const SHARD_LINE = /^Shard (\d+) of (\d+), lines (\d+)[–-](\d+)/;
const CODE_HEADING = "Code (each line is prefixed with its line number in the file):";
const NUMBERED = /^\s*(\d+) \|(?: (.*))?$/;

/** The shard in a review prompt, or undefined when the prompt holds none. */
export function readShardPrompt(prompt: string): ShardPrompt | undefined {
  const lines = prompt.split("\n");
  const file = firstMatch(lines, FILE_LINE);
  const shard = firstMatch(lines, SHARD_LINE);
  const heading = lines.indexOf(CODE_HEADING);
  if (!file || !shard || heading < 0) return undefined;
  const fence = lines.findIndex((l, i) => i > heading && l.startsWith("```"));
  if (fence < 0) return undefined;
  // The fence is longer than any backtick run in the code (pipeline/review/prompt.ts); it closes with the same run.
  const close = /^`+/.exec(lines[fence]!)![0];
  const code: CodeLine[] = [];
  for (let i = fence + 1; i < lines.length && lines[i] !== close; i++) {
    const m = NUMBERED.exec(lines[i] ?? "");
    if (m) code.push({ line: Number(m[1]), text: m[2] ?? "" });
  }
  return {
    path: file[1]!,
    language: file[2]!,
    shard: Number(shard[1]),
    shards: Number(shard[2]),
    lineStart: Number(shard[3]),
    lineEnd: Number(shard[4]),
    code,
  };
}

export interface ReduceShard {
  index: number;
  line_start?: number;
  line_end?: number;
  verdict?: Record<string, unknown>;
}

export interface ReducePayload {
  path?: string;
  shards: ReduceShard[];
}

/** The shard verdicts of a reduce prompt: the first ```json block whose object has a `shards` list. */
export function readReducePayload(prompt: string): ReducePayload | undefined {
  for (const m of prompt.matchAll(/```json\s*\n([\s\S]*?)\n```/g)) {
    let value: unknown;
    try {
      value = JSON.parse(m[1]!);
    } catch (e) {
      if (e instanceof SyntaxError) continue;
      throw e;
    }
    if (value && typeof value === "object" && Array.isArray((value as ReducePayload).shards)) return value as ReducePayload;
  }
  return undefined;
}

/** Every fingerprint the shard verdicts carry, in order, each once. */
export function fingerprintsOf(shards: ReduceShard[]): string[] {
  const seen = new Set<string>();
  for (const s of shards) {
    for (const list of Object.values(s.verdict ?? {})) {
      if (!Array.isArray(list)) continue;
      for (const f of list) {
        const fp = (f as { fingerprint?: unknown } | null)?.fingerprint;
        if (typeof fp === "string") seen.add(fp);
      }
    }
  }
  return [...seen];
}

function firstMatch(lines: string[], re: RegExp): RegExpExecArray | undefined {
  for (const l of lines) {
    const m = re.exec(l);
    if (m) return m;
  }
  return undefined;
}
