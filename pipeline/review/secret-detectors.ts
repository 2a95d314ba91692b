/**
 * Secret detectors for what secretlint's recommended preset misses in source code: private key bodies, token formats
 * the preset has no rule for, credentials in URLs, Authorization headers, and high-entropy values assigned to
 * secret-sounding names (secret-assignments.ts). Each returns where the secret sits, not what to do with it.
 */
import { findSecretAssignments, isPlaceholder, isWordy } from "./secret-assignments";
import { randomTokens, vendorTokens } from "./secret-formats";

export { entropyBits, isPlaceholder, looksLikeSecretValue } from "./secret-assignments";

/** Where a secret sits in a text: [start, end) in UTF-16 indexes, and which detector saw it. */
export interface SecretSpan {
  start: number;
  end: number;
  detector: string;
}

/** Token formats with a fixed shape: the whole match is the secret. */
const TOKEN_FORMATS: Array<{ detector: string; pattern: RegExp }> = [
  { detector: "gitlab-token", pattern: /\bgl(?:pat|ptt|dt|rt|cbt|soat|ft)-[A-Za-z0-9_-]{20,}/g },
  { detector: "stripe-key", pattern: /\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}/g },
  { detector: "stripe-webhook-secret", pattern: /\bwhsec_[A-Za-z0-9+/]{24,}/g },
  { detector: "google-api-key", pattern: /\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/g },
  { detector: "google-oauth-secret", pattern: /\bGOCSPX-[A-Za-z0-9_-]{24,}/g },
  // OpenAI (sk-, sk-proj-, sk-svcacct-) and Anthropic (sk-ant-) keys share the prefix; the preset only knows some layouts.
  { detector: "sk-api-key", pattern: /\bsk-[A-Za-z0-9_-]{32,}/g },
  { detector: "huggingface-token", pattern: /\bhf_[A-Za-z0-9]{30,}/g },
  { detector: "jwt", pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g },
];

/** `scheme://user:password@host`: the password is the secret. */
const URL_CREDENTIALS = /\b[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^\s:/@'"`<>]+:([^\s/@'"`<>]+)@/g;

/** `Authorization: Bearer …` (also Token and Basic) and a bare `Bearer <long token>` handed to a header builder. */
const AUTH_HEADER = /\bAuthorization["']?\s*[:=,]\s*["']?(?:[A-Za-z][\w-]{1,20}\s+)?([A-Za-z0-9._~+/@=-]{8,}=*)/gi;
const BARE_BEARER = /\bBearer\s+([A-Za-z0-9._~+/-]{20,}=*)/g;

/** Every secret the detectors of this module find in `text`; spans may overlap (the redactor merges them). */
export function findSourceSecrets(text: string): SecretSpan[] {
  return [...privateKeyBodies(text), ...tokenFormats(text), ...vendorTokens(text), ...randomTokens(text), ...urlCredentials(text), ...authHeaders(text), ...findSecretAssignments(text)];
}

function tokenFormats(text: string): SecretSpan[] {
  return TOKEN_FORMATS.flatMap(({ detector, pattern }) => [...text.matchAll(pattern)].map((m) => ({ start: m.index, end: m.index + m[0].length, detector })));
}

function urlCredentials(text: string): SecretSpan[] {
  return [...text.matchAll(URL_CREDENTIALS)].flatMap((m) => {
    const password = m[1]!;
    if (isPlaceholder(password)) return [];
    const end = m.index + m[0].length - 1;
    return [{ start: end - password.length, end, detector: "url-credentials" }];
  });
}

function authHeaders(text: string): SecretSpan[] {
  return [AUTH_HEADER, BARE_BEARER].flatMap((re) =>
    [...text.matchAll(re)].flatMap((m) => {
      const value = m[1]!;
      // With no scheme the value must look like a credential, not code (`authorization: req.headers.authorization`).
      const schemeless = !/(?:Bearer|Token|Basic)\s+\S*$/i.test(m[0]);
      if (isPlaceholder(value) || isWordy(value)) return [];
      if (schemeless && (isPlaceholder(value) || !/\d/.test(value) || /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/.test(value))) return [];
      const end = m.index + m[0].length;
      return [{ start: end - value.length, end, detector: "authorization-header" }];
    }),
  );
}

const BEGIN_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----/;
const END_KEY = /-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----/;
/** A line inside a key block that has both its BEGIN and END: base64 of any length, an armour header, a blank line. */
const ARMOUR_LINE = /^(?:\s*\d+ \| ?)?\s*(?:[A-Za-z0-9+/=]*|[\w-]+: .*)\s*$/;
/** A line of a PEM body, after any `  12 | ` line-number prefix of a review prompt. */
const KEY_BODY_LINE = /^(?:\s*\d+ \| )?\s*(?:[A-Za-z0-9+/=]{16,}|(?:Proc-Type|DEK-Info|Comment):.*|)\s*$/;

/**
 * Private key bodies, line by line so that a shard cut inside a key (only its BEGIN or only its END line present) is
 * still covered. The BEGIN/END lines stay, so the reviewer still reads that a key is embedded here.
 */
function privateKeyBodies(text: string): SecretSpan[] {
  const out: SecretSpan[] = [];
  for (const begin of text.matchAll(new RegExp(BEGIN_KEY.source, "g"))) {
    const from = begin.index + begin[0].length;
    const end = END_KEY.exec(text.slice(from));
    // A key written on one line (JSON service accounts: "\n" escapes) ends on the same line.
    const sameLine = end && !text.slice(from, from + end.index).includes("\n") && /^[A-Za-z0-9+/=\\\s]*$/.test(text.slice(from, from + end.index));
    // With its END in the text, the whole block is the key: PGP armour has headers, a blank line and a short checksum.
    // A BEGIN marker inside code (`.replace(/-----BEGIN … KEY-----/g, "")`) has code after it on its line: not a key.
    const body = end ? text.slice(from, from + end.index).split("\n") : [];
    const whole = end && body.length > 2 && /^[\s"'`,\\n]*$/.test(body[0]!) && body.slice(1, -1).every((l) => ARMOUR_LINE.test(l));
    const lineEnd = text.indexOf("\n", from);
    if (!sameLine && !/^[\s"'`,]*(?:\\n)?[\s"'`,]*$/.test(text.slice(from, lineEnd < 0 ? text.length : lineEnd))) continue;
    const to = sameLine || whole ? from + end!.index : bodyEnd(text, from);
    if (to > from) out.push({ start: from, end: to, detector: "private-key" });
  }
  for (const end of text.matchAll(new RegExp(END_KEY.source, "g"))) {
    // An END marker after code on its line (`.replace(/-----END … KEY-----/g, "")`) ends no key.
    const before = text.slice(text.lastIndexOf("\n", end.index - 1) + 1, end.index);
    if (!/^(?:\s*\d+ \| ?)?[\s"'`+]*$/.test(before) && !before.endsWith("\\n")) continue;
    const from = bodyStart(text, end.index);
    if (from < end.index) out.push({ start: from, end: end.index, detector: "private-key" });
  }
  return out;
}

/** From just after a BEGIN marker, the end of the run of body lines that follows it. */
function bodyEnd(text: string, from: number): number {
  let last = text.indexOf("\n", from);
  if (last < 0) return from;
  while (last < text.length) {
    const start = last + 1;
    const next = text.indexOf("\n", start) < 0 ? text.length : text.indexOf("\n", start);
    const line = text.slice(start, next);
    const marker = line.search(END_KEY);
    if (marker >= 0) return start + marker;
    if (line.trim() === "" || !KEY_BODY_LINE.test(line)) return last;
    last = next;
  }
  return last;
}

/** From an END marker, the start of the run of body lines before it (the BEGIN line may be in another shard). */
function bodyStart(text: string, endAt: number): number {
  const ownLineStart = text.lastIndexOf("\n", endAt - 1) + 1;
  let start = ownLineStart;
  while (start > 0) {
    const prevStart = text.lastIndexOf("\n", start - 2) + 1;
    const line = text.slice(prevStart, start - 1);
    if (BEGIN_KEY.test(line)) return prevStart + line.search(BEGIN_KEY) + (BEGIN_KEY.exec(line)?.[0].length ?? 0);
    if (!KEY_BODY_LINE.test(line) || line.trim() === "") break;
    start = prevStart;
  }
  return start === ownLineStart ? endAt : start;
}
