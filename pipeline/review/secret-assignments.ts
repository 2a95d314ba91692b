/**
 * Secrets found by the name they are given: a value assigned, passed or compared to a secret-sounding name, in any
 * grammar the sharder knows. The name decides, whatever the type syntax between it and the value
 * (`export const dbPassword: string = "…"`, `pub const CLIENT_SECRET: &str = "…"`, `var apiKey string = "…"`,
 * `char api_key[] = "…"`, `public string ApiKey { get; set; } = "…"`, `define('API_KEY', '…')`, `<apiToken>…</apiToken>`,
 * `TOKEN=123:abc` in a .env file). The value must then look like a secret: not a keyword, a variable reference, an
 * identifier, a class name or words joined by dashes.
 */
import type { SecretSpan } from "./secret-detectors";

/** Words of a name that make it a secret's name whatever else it holds. */
const STRONG_WORDS = new Set(["password", "passwd", "pwd", "pass", "pw", "passphrase", "secret", "secrets", "apikey", "credential", "credentials", "creds", "privatekey"]);
/** Words that make a name a secret's name but also name other things: the value must be random-looking. */
const WEAK_WORDS = new Set(["token", "salt", "auth", "authkey", "accesskey", "secretkey", "signature", "sig", "dsn", "bearer", "cookie", "sessionid", "jwt"]);
/** Words before a secret word that make the name a public or structural value (`public_token`, `csrf_token`, `foreign_key`). */
const NOT_SECRET_PREFIX = new Set(["public", "pub", "csrf", "xsrf", "foreign", "primary", "bucket", "schema", "sequence", "natural", "sort", "partition", "cache", "row", "idempotency", "unique", "composite", "vault", "store", "next", "page", "pagination", "cursor", "continuation", "sync", "max", "min", "num", "total", "input", "output", "prompt", "completion"]);
/** `<word> key` pairs that only ever name a secret. */
const STRONG_KEY_PREFIX = new Set(["api", "access", "private", "secret", "client", "signing", "encryption", "session", "master", "account", "app", "consumer", "license", "service", "admin", "auth", "hmac", "webhook", "storage", "shared"]);
/** Last words that make a name about a secret rather than the secret (`secret_name`, `token_ttl`, `password_file`). */
const ABOUT_A_SECRET = new Set(["name", "names", "id", "ids", "type", "types", "length", "len", "count", "size", "field", "fields", "header", "headers", "env", "var", "path", "file", "url", "uri", "dir", "prefix", "suffix", "ttl", "expiry", "expires", "expiration", "endpoint", "label", "hint", "policy", "regex", "pattern", "format", "mode", "enabled", "required", "placeholder", "hash", "hashed", "digest", "strength", "min", "max", "limit", "limits", "class", "store", "storage", "manager", "provider", "validator", "input", "error", "errors", "message", "reset", "changed", "confirm", "confirmation", "visible", "version", "index", "kind", "usage", "source", "ref", "arn", "location", "handler", "callback"]);
/** Words a call's name starts with when it reads or handles a secret rather than setting one (`getSecret("name")`). */
const HANDLING_VERBS = /^(?:get|fetch|read|load|find|has|is|check|validate|verify|hash|compare|delete|remove|generate|create|parse|decode|encode|encrypt|decrypt|sign|print|log|mask|redact|rotate|require|lookup|resolve|describe|list|revoke|refresh|use|count|format|render|to|new|make|build|random)$/;

/** A call that reads a value by name, just before a literal: `getenv("…"`, `os.environ.get("…"`, `config.fetch('…'`. */
const READ_CALL = /(?:get|getenv|environ|env|fetch|read|lookup|load|require|param|params|secret_ref)\w*\s*(?:\(|\[)\s*(?:@|[bruBRUfFL]{1,2}|\$)?["'`]?$/i;

/** The words of an identifier: split at `_ - . $`, camelCase and digit boundaries, lowercased. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== "")
    .map((w) => w.toLowerCase());
}

/** Whether a name says its value is not a secret: public, structural or about a secret (`public_key`, `csrf_token`, `key_id`). */
export function nameSaysNotSecret(name: string): boolean {
  const words = nameWords(name);
  if (words.length === 0) return false;
  return ABOUT_A_SECRET.has(words[words.length - 1]!) || words.some((w) => NOT_SECRET_PREFIX.has(w) || /^pub(?:lic)?(?:key|token)$/.test(w));
}

/** How strongly a name says it holds a secret: "strong", "weak", or null (not a secret's name, or about one). */
export function secretName(name: string): "strong" | "weak" | null {
  const words = nameWords(name);
  if (words.length === 0 || ABOUT_A_SECRET.has(words[words.length - 1]!)) return null;
  let strength: "strong" | "weak" | null = null;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (i > 0 && NOT_SECRET_PREFIX.has(words[i - 1]!)) continue;
    if (STRONG_WORDS.has(w) || (w === "key" && i > 0 && STRONG_KEY_PREFIX.has(words[i - 1]!)) || /^(?:api|access|private|secret|client|signing)key$/.test(w)) return "strong";
    if (WEAK_WORDS.has(w) || /^(?:pass|secret|token|apikey|password)\d*$/.test(w)) strength = "weak";
    // `secrete`, `passwort`, `mysecret`: a word that starts or ends with a strong one.
    if (/^(?:passw|secret|apikey)|(?:password|secret|apikey|passwd)$/.test(w)) return "strong";
  }
  return strength;
}

/** A string literal in any of the grammars: "…" (with escapes), '…', `…`; the value is the group. */
const QUOTED = String.raw`(?:@|[bruBRUfFL]{1,2}|\$)?(?:"((?:[^"\n\\]|\\.)*)"|'((?:[^'\n\\]|\\.)*)'|\x60([^\x60\n]*)\x60)`;
/** A bare value: runs to the first space, quote, comma, semicolon or closing bracket. */
const BARE = String.raw`([^\s"'\x60,;)\]}<>]+)`;
/** A type between a name and its `=`: `: &'static str`, `: Final[str]`, `: string | undefined`, Go's ` []byte`. */
const TYPE = String.raw`(?:\s*:\s*[\w&*'<>\[\]?.:|, ]{1,60}?(?=\s*=[^=])|\s+(?:\[\]|\*)?[\w.]+(?=\s*=[^=])|\s*\[\d*\](?=\s*=)|\s*\{\s*get;[^}\n]{0,30}\}(?=\s*=))?`;
/** The operator: assignments of every grammar, comparisons (a literal compared to a secret is the secret), `=>`. */
const OPERATOR = String.raw`[ \t]*(?:===?|!==?|:::=|::=|:=|\?\?=|\|\|=|\?=|\+=|\.=|=>|=|:|(?<=["'\]])[ \t]*,|\()[ \t]*|[ \t]+(?=["'])`;
/** A wrapper call around the value: `String::from(`, `[]byte(`, `SecretStr(`, `Some(`, `new String(`. */
const WRAPPER = String.raw`(?:(?:new\s+)?(?:\[\]byte|[A-Za-z_][\w.:]*(?:<[^>\n]{0,40}>)?)\s*\(\s*)?`;

const ASSIGNMENT = new RegExp(
  String.raw`(?<![\w$])(["'\x60]?)([A-Za-z_$][\w$.-]*)\1\]?${TYPE}(${OPERATOR})${WRAPPER}(?:${QUOTED}|${BARE})`,
  "g",
);
/** `"…" == password`: the literal first. */
const COMPARED = new RegExp(String.raw`${QUOTED}\s*(?:===?|!==?)\s*([A-Za-z_$][\w$.]*)`, "g");
/** `<apiToken>\n  …\n</apiToken>` and `<add key="Password" value="…" />`. */
const XML_ELEMENT = /<([A-Za-z_][\w.:-]*)(?:\s[^>]*)?>\s*(?:\d+ \| \s*)?([^<>\s]+)\s*(?:\d+ \| \s*)?<\/\1>/g;
const XML_KEY_VALUE = /\b(?:key|name)\s*=\s*"([^"\n]+)"\s+value\s*=\s*"([^"\n]*)"/gi;
/**
 * A whole line `NAME = value` (.env, INI, YAML, properties, Makefile): the value is the rest of the line, so `:`, `#`,
 * `$` or brackets inside it do not cut it short. A review prompt's `  12 | ` prefix may come first.
 */
const LINE_ASSIGNMENT = /^(?:[ \t]*\d+ \| )?[ \t]*(?:(?:#+|\/\/+|--|;+|\*|\/\*+)[ \t]*)?(?:export[ \t]+|set[ \t]+)?["']?([A-Za-z_][\w.-]*(?: [A-Za-z][\w.-]*){0,3})["']?[ \t]*(?:=|:=|\?=|:)[ \t]*([^\s"'`][^\s]*?)[,;]?[ \t]*$/gm;

/** Every value assigned to a secret's name in `text` that looks like a secret. */
export function findSecretAssignments(text: string): SecretSpan[] {
  const out: SecretSpan[] = [];
  const push = (name: string, value: string, quoted: boolean, valueEnd: number) => {
    const strength = secretName(name);
    if (strength !== null && looksLikeSecretValue(strength, value, quoted)) out.push({ start: valueEnd - value.length, end: valueEnd, detector: "secret-assignment" });
  };
  const re = new RegExp(ASSIGNMENT.source, "g");
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const [whole, quote, name, operator] = m;
    // Matches may overlap: in `const apiKey = "…"` the keyword `const` reads as a name with a Go-style type. The next
    // try starts right after this name.
    re.lastIndex = m.index + quote!.length + name!.length;
    const quotedValue = m[4] ?? m[5] ?? m[6];
    const value = quotedValue ?? m[7]!;
    // A call passes a secret only when it sets one (`setApiKey("…")`), not when it reads one (`getSecret("name")`).
    if (operator!.trim() === "(" && HANDLING_VERBS.test(nameWords(name!.slice(name!.lastIndexOf(".") + 1))[0] ?? "")) continue;
    // `name, value` is a pair only when the name was quoted (`put("api_key", "…")`), else it is an argument list.
    if (operator!.trim() === "," && quote === "") continue;
    // After `(` or `,` only a string literal is a value; a bare word there is an argument (`f(credentialsId: x)`).
    if ((operator!.trim() === "(" || operator!.trim() === ",") && quotedValue === undefined) continue;
    const end = m.index + whole!.length - (quotedValue !== undefined ? 1 : 0);
    // `api_key=os.environ.get("OPENAI_API_KEY")`: the literal names where the secret is read from, it is not one.
    if (READ_CALL.test(text.slice(m.index, end - value.length))) continue;
    push(name!, value, quotedValue !== undefined, end);
  }
  for (const m of text.matchAll(COMPARED)) {
    const value = m[1] ?? m[2] ?? m[3]!;
    const start = text.indexOf(value, m.index);
    push(m[4]!, value, true, start + value.length);
  }
  for (const m of text.matchAll(XML_ELEMENT)) {
    const start = m.index + m[0].lastIndexOf(m[2]!, m[0].length - m[1]!.length - 3);
    push(m[1]!, m[2]!, true, start + m[2]!.length);
  }
  for (const m of text.matchAll(XML_KEY_VALUE)) push(m[1]!, m[2]!, true, m.index + m[0].length - 1);
  for (const m of text.matchAll(LINE_ASSIGNMENT)) {
    const value = m[2]!;
    const end = m.index + m[0].replace(/[,;]?[ \t]*$/, "").length;
    // A whole-line value is a string in .env, YAML and INI files: an identifier-shaped token counts unless it is wordy.
    push(m[1]!, value, !/^[\w$.]+\(/.test(value) && !(IDENTIFIER_PATH.test(value) && /[.:]/.test(value) && !/\d/.test(value)), end);
  }
  return out;
}

const PLACEHOLDER = /^(?:\{\{.*\}\}|<.*>|%\(?\w*\)?s|\*+|x+|X+|\.+|#+|-+|changeme|change[_-]?me|password|passwd|secret|example|sample|dummy|redacted|test|testing|todo|tbd|none|null|nil|undefined|true|false|yes|no|on|off|required|optional|(?:[a-z]{2,4}[-_]){0,2}(?:test|example|sample|dummy|fake|mock|placeholder)(?:[-_][a-z]+)*(?:[-_]?\d{1,3})?|your[-_ ].*|insert[-_ ].*|replace[-_ ].*|enter[-_ ].*|put[-_ ].*)$/i;
const IDENTIFIER_PATH = /^[A-Za-z_$][\w$]*(?:(?:\.|::|->)[A-Za-z_$][\w$]*)*$/;
/** Variable references in the syntaxes of shells, templates and runtimes: `$API_KEY`, `${X}`, `%X%`, `process.env.X`. */
const VARIABLE_REFERENCE = /^(?:\$\{?[\w.:-]+\}?|%[\w.]+%|\$\([^)]*\)|#\{[^}]*\}|@\{[^}]*\}|\{\{[^}]*\}\}|\{[\w.]+\}|(?:var|local|data|module|each|process\.env|import\.meta\.env|os\.environ|os\.getenv|ENV|env|System\.getenv|getenv|secrets|vars|inputs|settings|config|self|this)\b.*)$/;
/** A value that only stands in for a secret (`changeme`, `${VAR}`, `<your-token>`, an earlier `<REDACTED:…>`). */
export function isPlaceholder(value: string): boolean {
  return PLACEHOLDER.test(value) || VARIABLE_REFERENCE.test(value) || /^(?:<[^>]*>?|\$\{[^}]*\}?|\$?\{\{.*|\*{3,}.*)$/.test(value);
}

/** Shannon entropy of a string, in bits per character. */
export function entropyBits(value: string): number {
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/**
 * Words joined the way names and keywords are (`same-origin`, `PasswordEncoder`, `include`, `BEARER_TOKEN`): each
 * piece a dictionary-shaped word (a vowel, letters only). Generated secrets mix in digits or break into pieces no
 * word has.
 */
export function isWordy(value: string): boolean {
  if (/\d/.test(value)) return false;
  const pieces = value
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .split(/[\s_.:/\\-]+/)
    .filter((p) => p !== "");
  if (pieces.length === 0) return false;
  return pieces.every((p) => /^[A-Z]$/.test(p) || isWordShaped(p));
}

/** A piece shaped like a word: letters with vowels, no run of 4 consonants, a vowel share a language has. */
function isWordShaped(piece: string): boolean {
  if (!/^(?:[A-Z]?[a-z]+|[A-Z]{2,12})$/.test(piece) || !/[aeiouy]/i.test(piece)) return false;
  // Acronyms and short words (`API`, `OPENAI`, `KEY`) read as words whatever their vowels.
  if (piece.length <= 5 || /^[A-Z]{2,8}$/.test(piece)) return true;
  const vowels = piece.replace(/[^aeiouy]/gi, "").length / piece.length;
  return vowels >= 0.15 && vowels <= 0.65 && !/[^aeiouy]{4,}/i.test(piece.replace(/(?:str|ngth|ncts|rstr|chts)/gi, "a"));
}

/** Whether a value given to a secret's name reads as a secret rather than a placeholder, a reference, a name or prose. */
export function looksLikeSecretValue(strength: "strong" | "weak", value: string, quoted: boolean): boolean {
  if (value.length < 8 || /\s/.test(value) || isPlaceholder(value)) return false;
  if (value.includes("://") || value.startsWith("/") || value.startsWith("./") || value.startsWith("<REDACTED:")) return false;
  // Under a name that only holds secrets, one lowercase word of 8+ letters is a password (`wdjaiwojd`), not a keyword.
  if (isWordy(value)) return false;
  // Templates and expressions: `${a}/${b}`, `credentials?.apiKey`, `!!x`, `headers[…]`, `Promise<CryptoKey>`.
  if (/\$\{[\w.]+\}/.test(value) || /^!!|^[A-Za-z_$][\w$.]*\?\.[A-Za-z_$]|^[A-Za-z_$][\w$.]*(?:<[\w, ]+>|\[["'`])/.test(value) || (!quoted && (/^[!&*]/.test(value) || /\?\.|[A-Za-z_]\[|^[A-Za-z_][\w.]*<[^>]*>?$/.test(value)))) return false;
  // A bare word that parses as a variable, member path or call is code, unless it mixes in digits the way secrets do.
  if (!quoted && (IDENTIFIER_PATH.test(value) || /^[\w$.]+\(.*\)?$|^[\w$.]+\[.*\]$/.test(value)) && !/\d/.test(value)) return false;
  if (!quoted && /^[\w$.]+\(/.test(value)) return false;
  // An unquoted value that opens with a bracket or a path separator, or calls something, is code (`Token::Alternates(ref`).
  if (!quoted && (/^[(:[{]/.test(value) || /[A-Za-z_]\(/.test(value))) return false;
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((re) => re.test(value)).length;
  // A name that only ever holds a secret: any value that is not a word counts once it is long or random enough.
  if (strength === "strong") return entropyBits(value) >= 2.2 || (classes >= 2 && value.length >= 16);
  const alnumClasses = [/[a-z]/, /[A-Z]/, /\d/].filter((re) => re.test(value)).length;
  const symbols = value.replace(/[A-Za-z0-9]/g, "").length;
  // A vendor-prefixed token (`pgar_…`, `BBDC-…`) is a token whatever its body.
  if (/^[A-Za-z]{2,12}[-_.][A-Za-z0-9_.-]{16,}$/.test(value) && value.length >= 24) return true;
  // A long run of digits (an app secret or a numeric token) is a token; a timestamp or a count is shorter.
  if (/^\d{16,}$/.test(value)) return entropyBits(value) >= 2.5;
  // Long lowercase letters with no word in them (`seugeupfknprstoe`): a generated key from a lowercase alphabet.
  if (value.length >= 16 && /^[a-z]+$/.test(value)) return entropyBits(value) >= 3.2;
  if (value.length >= 12) return (alnumClasses >= 2 || symbols >= 3) && classes >= 2 && entropyBits(value) >= 2.8;
  if (value.length >= 10 && alnumClasses === 3) return entropyBits(value) >= 3;
  // Short values under a name that also means other things: only symbol-rich ones (a typed password) count.
  return symbols >= 3 && /[A-Za-z0-9]/.test(value) && entropyBits(value) >= 3;
}
