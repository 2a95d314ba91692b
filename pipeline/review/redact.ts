/** Secret redaction for rungs marked `cloud = true`: likely credentials are masked before code leaves the machine. */

const MASK = "[REDACTED]";

/** Whole-match patterns: the match itself is the secret. */
const TOKENS: RegExp[] = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
  /\bAKIA[0-9A-Z]{16}\b/g,
  /\bgh[pousr]_[A-Za-z0-9]{36,}\b/g,
  /\bsk-[A-Za-z0-9_-]{20,}\b/g,
  /\bxox[abprs]-[A-Za-z0-9-]{10,}\b/g,
  /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\b/g,
];

/** Assignments to secret-sounding names: only the quoted value is masked, so the code still reads. */
const ASSIGNMENT = /\b([A-Za-z_]*(?:api[_-]?key|secret|token|passw(?:or)?d|credential)[A-Za-z_]*)(["']?\s*[:=]\s*["'])([^"'\s]{8,})(["'])/gi;

export interface Redaction {
  text: string;
  count: number;
}

/** Mask likely secrets in text; returns the text and how many were masked. */
export function redactSecrets(text: string): Redaction {
  let count = 0;
  let out = text;
  for (const re of TOKENS) {
    out = out.replace(re, () => {
      count++;
      return MASK;
    });
  }
  out = out.replace(ASSIGNMENT, (_all, name: string, op: string, value: string, close: string) => {
    if (value === MASK) return `${name}${op}${value}${close}`;
    count++;
    return `${name}${op}${MASK}${close}`;
  });
  return { text: out, count };
}
