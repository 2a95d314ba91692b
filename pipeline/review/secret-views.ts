/**
 * Other ways a secret is written than as itself: inside an escaped string (a JSON request body, a JSON fixture, a
 * string in a string: `{\"api_key\": \"…\"}`) and cut short (a summary quoting the first half of a token). The
 * redactor runs its detectors over the unescaped views too, and masks every long piece of a secret it already knows.
 */
import type { SecretSpan } from "./secret-detectors";
import { entropyBits, isWordy } from "./secret-assignments";

/** A text with escapes undone, and for each of its characters the [start, end) of what it was written as. */
export interface EscapeView {
  text: string;
  from: Int32Array;
  to: Int32Array;
}

const SIMPLE_ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", '"': '"', "'": "'", "\\": "\\", "/": "/", "`": "`", b: "\b", f: "\f" };

/** `text` with one level of backslash escapes undone (JSON and JavaScript: `\"`, `\\`, `\n`, `\u0041`), or null if it has none. */
export function unescapeView(text: string): EscapeView | null {
  if (!text.includes("\\")) return null;
  let out = "";
  const from: number[] = [];
  const to: number[] = [];
  for (let i = 0; i < text.length; ) {
    const ch = text[i]!;
    if (ch === "\\" && i + 1 < text.length) {
      const next = text[i + 1]!;
      const simple = SIMPLE_ESCAPES[next];
      if (simple !== undefined) {
        out += simple;
        from.push(i);
        to.push(i + 2);
        i += 2;
        continue;
      }
      const hex = next === "u" ? /^[0-9a-fA-F]{4}/.exec(text.slice(i + 2, i + 6)) : null;
      if (hex) {
        out += String.fromCharCode(parseInt(hex[0], 16));
        from.push(i);
        to.push(i + 6);
        i += 6;
        continue;
      }
    }
    out += ch;
    from.push(i);
    to.push(i + 1);
    i += 1;
  }
  return { text: out, from: Int32Array.from(from), to: Int32Array.from(to) };
}

/** A span of a view, as the span of the text the view was made from. */
export function spanInSource(view: EscapeView, span: SecretSpan): SecretSpan {
  return { start: view.from[span.start]!, end: view.to[span.end - 1]!, detector: span.detector };
}

/** Pieces shorter than this are not masked: 8 characters of a random secret are as unlikely in other text as they are useless to it. */
export const MIN_PIECE = 8;

/**
 * Every run of at least MIN_PIECE characters of `text` that is a piece of one of `secrets` (the whole value, or a cut
 * one, such as `ghp_YazmDtlRy…` in a summary). Pieces that read as words (`Password`) are left alone.
 */
export function findSecretPieces(text: string, secrets: ReadonlySet<string>): SecretSpan[] {
  if (secrets.size === 0) return [];
  const grams = new Map<string, string[]>();
  for (const s of secrets) {
    for (let i = 0; i + MIN_PIECE <= s.length; i++) {
      const g = s.slice(i, i + MIN_PIECE);
      const list = grams.get(g);
      if (list) list.push(s);
      else grams.set(g, [s]);
    }
  }
  const out: SecretSpan[] = [];
  for (let i = 0; i + MIN_PIECE <= text.length; i++) {
    const owners = grams.get(text.slice(i, i + MIN_PIECE));
    if (!owners) continue;
    let end = i + MIN_PIECE;
    while (end < text.length && owners.some((s) => s.includes(text.slice(i, end + 1)))) end++;
    const piece = text.slice(i, end);
    if (!isWordy(piece) && entropyBits(piece) >= 2.5) {
      out.push({ start: i, end, detector: "known-secret" });
      i = end - 1;
    }
  }
  return out;
}
