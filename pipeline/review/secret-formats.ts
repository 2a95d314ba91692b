/**
 * Secrets found by their shape alone, with no name near them: vendors' documented token formats (a fixed prefix, a
 * separator layout, a body length), and random-looking tokens of any vendor. The patterns are written here from the
 * vendors' own descriptions of their tokens; none is copied from another scanner.
 */
import type { SecretSpan } from "./secret-detectors";
import { entropyBits, nameSaysNotSecret } from "./secret-assignments";

/** A token format: the whole match is the secret unless `group` names the part that is. */
interface TokenFormat {
  detector: string;
  pattern: RegExp;
  group?: number;
}

/** A token starts after anything but a token character (`=`, `:` and quotes come before values) and ends before one. */
const start = String.raw`(?<![A-Za-z0-9_.-])`;
const end = String.raw`(?![A-Za-z0-9_-])`;
const fmt = (detector: string, body: string, flags = "g"): TokenFormat => ({ detector, pattern: new RegExp(start + body + end, flags) });

const VENDOR_FORMATS: TokenFormat[] = [
  // AWS access key ids: a four-letter kind (user, role, temporary, service-specific, …) and 16 base32 characters.
  fmt("aws-access-key-id", String.raw`(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|APKA|AROA|ASCA)[A-Z2-7]{16}`),
  // Slack: bot/user/app/refresh/config tokens (xox? and xapp-), incoming webhooks and workflow triggers.
  fmt("slack-token", String.raw`(?:xox[abposer]|xoxe\.xox[bp]|xapp)-[A-Za-z0-9-]{10,}`),
  { detector: "slack-webhook", pattern: /hooks\.slack\.com\/(?:services|workflows|triggers)\/([A-Za-z0-9_/-]{16,})/g, group: 1 },
  // GitLab's prefixed tokens (personal, pipeline trigger, deploy, runner, agent, OAuth application, mail, feature flags…).
  fmt("gitlab-token", String.raw`(?:gl(?:pat|ptt|dt|rt|cbt|soat|ft|agent|oas|imt|ffct|sa|c)-[A-Za-z0-9_-]{16,}|GR1348941[A-Za-z0-9_-]{16,})`),
  // Twilio account SIDs and API key SIDs: AC/SK and 32 hex digits.
  fmt("twilio-sid", String.raw`(?:AC|SK)[0-9a-f]{32}`),
  fmt("sourcegraph-token", String.raw`sgp_(?:local_|[0-9a-f]{16}_)?[A-Za-z0-9_]{32,}`),
  fmt("notion-token", String.raw`ntn_[A-Za-z0-9]{40,}`),
  fmt("huggingface-org-token", String.raw`api_org_[A-Za-z]{30,}`),
  // 1Password account secret keys (A3-XXXXXX-…) and service account tokens (ops_ + base64 JSON).
  fmt("1password-secret-key", String.raw`A3-[A-Z0-9]{6}-[A-Z0-9-]{23,30}`),
  fmt("1password-service-token", String.raw`ops_eyJ[A-Za-z0-9+/=_-]{40,}`),
  // HashiCorp Vault service, batch and recovery tokens; Terraform Cloud tokens.
  fmt("vault-token", String.raw`hv[sbr]\.[A-Za-z0-9_-]{24,}`),
  fmt("terraform-token", String.raw`[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,}`),
  fmt("easypost-key", String.raw`EZ[AT]K[A-Za-z0-9]{40,}`),
  // Facebook user/page tokens (EAA…), app tokens (app id | secret).
  fmt("facebook-token", String.raw`EAA[A-Za-z0-9]{80,}`),
  fmt("facebook-app-token", String.raw`\d{15,16}\|[A-Za-z0-9_-]{27}`),
  // Discord bot tokens: base64 user id, timestamp, HMAC.
  fmt("discord-bot-token", String.raw`[MNO][A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,40}`),
  fmt("telegram-bot-token", String.raw`\d{5,16}:A[A-Za-z0-9_-]{32,36}`),
  fmt("sendgrid-key", String.raw`SG\.[A-Za-z0-9_=-]{16,32}\.[A-Za-z0-9_=-]{16,70}`),
  fmt("mailchimp-key", String.raw`[0-9a-f]{32}-us\d{1,2}`),
  fmt("mailgun-key", String.raw`(?:key|pubkey)-[0-9a-f]{32}`),
  fmt("pypi-token", String.raw`pypi-AgE[A-Za-z0-9_-]{40,}`),
  fmt("flyio-token", String.raw`(?:fm1[ar]|fm2|fo1)_[A-Za-z0-9+/=_-]{32,}`),
  // Azure AD (Entra) client secrets: three characters, a digit, "Q~", then 31 to 34 more.
  fmt("azure-client-secret", String.raw`[A-Za-z0-9_~.-]{3}\dQ~[A-Za-z0-9_~.-]{31,34}`),
  fmt("sentry-token", String.raw`(?:sntrys_eyJ[A-Za-z0-9+/=_-]{40,}|sntryu_[0-9a-f]{64})`),
  fmt("digitalocean-token", String.raw`do[opr]_v1_[0-9a-f]{64}`),
  fmt("shippo-token", String.raw`shippo_(?:live|test)_[0-9a-f]{40}`),
  fmt("postman-key", String.raw`PMAK-[0-9a-f]{24}-[0-9a-f]{34}`),
  fmt("pulumi-token", String.raw`pul-[0-9a-f]{40}`),
  fmt("prefect-token", String.raw`pnu_[A-Za-z0-9]{36}`),
  fmt("readme-key", String.raw`rdme_[a-z0-9]{70}`),
  fmt("rubygems-key", String.raw`rubygems_[0-9a-f]{48}`),
  fmt("databricks-token", String.raw`dapi[0-9a-f]{32}(?:-\d)?`),
  fmt("newrelic-key", String.raw`(?:NRAK-[A-Z0-9]{27}|NRII-[A-Za-z0-9_-]{32}|NRJS-[a-f0-9]{19})`),
  fmt("doppler-token", String.raw`dp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9]{40,44}`),
  fmt("dynatrace-token", String.raw`dt0c01\.[A-Z0-9]{24}\.[A-Z0-9]{64}`),
  fmt("atlassian-token", String.raw`ATATT3[A-Za-z0-9_=-]{180,}`),
  fmt("clojars-token", String.raw`CLOJARS_[a-z0-9]{60}`),
  fmt("duffel-token", String.raw`duffel_(?:test|live)_[A-Za-z0-9_=-]{43}`),
  fmt("flutterwave-key", String.raw`FLW(?:SECK|PUBK)_TEST-[a-h0-9]{12,32}(?:-X)?`),
  fmt("frameio-token", String.raw`fio-u-[A-Za-z0-9_=-]{64}`),
  fmt("grafana-token", String.raw`(?:glc_[A-Za-z0-9+/=_-]{32,}|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}|eyJrIjoi[A-Za-z0-9]{60,})`),
  fmt("infracost-key", String.raw`ico-[A-Za-z0-9]{32}`),
  fmt("perplexity-key", String.raw`pplx-[A-Za-z0-9]{48}`),
  fmt("planetscale-token", String.raw`pscale_(?:tkn|oauth|pw)_[A-Za-z0-9=._-]{32,64}`),
  fmt("plaid-token", String.raw`access-(?:sandbox|development|production)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`),
  fmt("scalingo-token", String.raw`tk-us-[A-Za-z0-9_-]{48}`),
  fmt("brevo-key", String.raw`xkeysib-[a-f0-9]{64}-[A-Za-z0-9]{16}`),
  fmt("settlemint-token", String.raw`sm_(?:aat|pat|sat)_[A-Za-z0-9]{16}`),
  fmt("square-token", String.raw`sq0(?:atp|csp)-[A-Za-z0-9_\\-]{22,60}`),
  fmt("typeform-token", String.raw`tfp_[A-Za-z0-9_.=-]{59}`),
  fmt("yandex-token", String.raw`(?:t1\.[A-Z0-9a-z_-]+=*\.[A-Z0-9a-z_-]{86}=*|AQVN[A-Za-z0-9_-]{35,38}|YC[A-Za-z0-9_-]{38})`),
  fmt("openshift-token", String.raw`sha256~[A-Za-z0-9_-]{43}`),
  fmt("twitter-bearer", String.raw`A{22}[A-Za-z0-9%]{80,}`),
  fmt("harness-token", String.raw`(?:pat|sat)\.[A-Za-z0-9]{22}\.[0-9a-f]{24}\.[A-Za-z0-9]{20}`),
  fmt("intra42-secret", String.raw`s-s4t2(?:ud|af)-[a-f0-9]{64}`),
  fmt("heroku-key", String.raw`HRKU-AA[A-Za-z0-9_-]{58}`),
  // Cloudflare's global API key: 37 hex digits (no digest has that length).
  fmt("cloudflare-global-key", String.raw`[0-9a-f]{37}`),
  fmt("cloudflare-origin-key", String.raw`v1\.0-[a-f0-9]{24}-[a-f0-9]{146}`),
  fmt("authress-key", String.raw`(?:sc|ext|scauth|authress)_[a-z0-9]{5,30}\.[a-z0-9]{4,6}\.acc_[a-z0-9-]{10,32}\.[a-z0-9+/_=-]{30,120}`),
  fmt("adobe-secret", String.raw`p8e-[A-Za-z0-9]{32}`),
  fmt("alibaba-key-id", String.raw`LTAI[A-Za-z0-9]{20}`),
  fmt("age-secret-key", String.raw`AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}`),
  fmt("airtable-pat", String.raw`pat[A-Za-z0-9]{14}\.[a-f0-9]{64}`),
  fmt("lob-key", String.raw`(?:live|test)(?:_pub)?_[a-f0-9]{31,35}`),
  fmt("sumologic-id", String.raw`su(?=[A-Za-z0-9]{0,11}\d)(?=[A-Za-z0-9]{0,11}[A-Z])[A-Za-z0-9]{12}`),
  fmt("bedrock-key", String.raw`(?:ABSK[A-Za-z0-9+/]{100,}=*|bedrock-api-key-[A-Za-z0-9+/]{20,}=*)`),
  // A JWT whose text was base64-encoded once more (a JWT in a Kubernetes secret or a config blob): "eyJ" → "ZXlK".
  fmt("jwt-base64", String.raw`ZXlK[A-Za-z0-9+/_-]{40,}={0,2}`),
  // Bundler's per-host credentials: BUNDLE_<HOST with __ for dots>=user:password.
  { detector: "bundler-credentials", pattern: /\bBUNDLE_(?:[A-Z0-9-]+__)+[A-Z]+["']?\s*(?:=|:)\s*["']?([^\s"'$;&]{8,})/g, group: 1 },
  // curl's `-u user:password` / `--user user:password`: the password, or the whole pair when the user is left empty.
  { detector: "curl-user", pattern: /(?:^|\s)(?:-u|--user)\s+["']?(?:\{?[^\s"':]*\}?["']?:["']?)\{?([^\s"'{}]{6,})/gm, group: 1 },
  { detector: "curl-user", pattern: /(?:^|\s)(?:-u|--user)\s+["']([^\s"':]{8,}):["']/gm, group: 1 },
];

/** Every vendor-format token in `text`. */
export function vendorTokens(text: string): SecretSpan[] {
  return VENDOR_FORMATS.flatMap(({ detector, pattern, group }) =>
    [...text.matchAll(pattern)].map((m) => {
      const value = group === undefined ? m[0] : m[group]!;
      const at = m.index + (group === undefined ? 0 : m[0].lastIndexOf(value));
      return { start: at, end: at + value.length, detector };
    }),
  );
}

/** A run of token characters at least RANDOM_MIN long, the candidates of the random-token rule. */
const TOKEN_RUN = /(?<![A-Za-z0-9_+~-])[A-Za-z0-9][A-Za-z0-9_+~-]{19,}/g;
/** Shorter than this a random string is as likely an abbreviation soup as a credential. */
const RANDOM_MIN = 20;
/** Digests written with their algorithm (`sha512-…`, Go's `h1:…`) are not secrets. */
const DIGEST_BEFORE = /(?:sha(?:1|256|384|512)[-:]|h1:|base64,|integrity\W{1,4}|#)$/i;

/**
 * Random-looking tokens with no name or prefix: 20+ characters mixing letters and digits, no dictionary words making
 * up most of them, and the entropy of a generated string. Hex strings (commit ids, digests, UUIDs) are left alone:
 * code is full of them and a hex secret nearly always has a name or a prefix the other detectors read.
 */
export function randomTokens(text: string): SecretSpan[] {
  const out: SecretSpan[] = [];
  for (const m of text.matchAll(TOKEN_RUN)) {
    const value = m[0].replace(/[_~+-]+$/, "");
    if (value.length < RANDOM_MIN || DIGEST_BEFORE.test(text.slice(Math.max(0, m.index - 12), m.index))) continue;
    if (namedNotSecret(text, m.index) || inUrl(text, m.index) || /^[a-z]{1,6}-[0-9a-f]{8,}$/.test(value) || base64OfText(value)) continue;
    if (looksRandom(value)) out.push({ start: m.index, end: m.index + value.length, detector: "random-token" });
  }
  return out;
}

/** A token in a URL's path or query (an image id, an encoded path): a URL's secrets have their own formats. */
function inUrl(text: string, at: number): boolean {
  return /[a-z][a-z0-9+.-]*:\/\/[^\s"'`<>()]*$/i.test(text.slice(Math.max(0, at - 300), at));
}

/** A base64 token that decodes to plain text (`L2hvbWUv…` is "/home/…"): encoded data, not a generated secret. */
function base64OfText(value: string): boolean {
  // A JWT's parts decode to JSON, and are credentials.
  if (!/^[A-Za-z0-9+/_-]+=*$/.test(value) || value.length % 4 === 1 || value.startsWith("eyJ")) return false;
  const bytes = Buffer.from(value.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  if (bytes.length < 12) return false;
  let printable = 0;
  for (const b of bytes) if ((b >= 32 && b < 127) || b === 10 || b === 9) printable++;
  return printable / bytes.length >= 0.9;
}

/** `public_key = "…"`, `csrfToken: …`, `credentialId=…`: the name the token is given says it is not a secret. */
function namedNotSecret(text: string, at: number): boolean {
  const before = /([A-Za-z_$][\w$.-]*)["'\]]?\s*(?:=|:|=>|:=)\s*["'`]?$/.exec(text.slice(Math.max(0, at - 80), at));
  return before !== null && nameSaysNotSecret(before[1]!);
}

/** Whether a token reads as generated rather than written: mixed letters and digits, few words, high entropy. */
export function looksRandom(value: string): boolean {
  // Digests and ids are hex in one case; a hex token in mixed case is not a digest.
  if (/^[0-9a-f_-]+$/.test(value) || /^[0-9A-F_-]+$/.test(value) || /^\d+$/.test(value)) return false;
  // Mixed-case hex (a token generated from a case-insensitive alphabet) has no words to weigh: its entropy decides.
  if (/^[0-9a-fA-F]+$/.test(value)) return /\d/.test(value) && entropyBits(value) >= 3.7;
  const digits = value.replace(/\D/g, "").length;
  const letters = value.replace(/[^A-Za-z]/g, "").length;
  if (digits < 2 || letters < 6) return false;
  if (wordLetterShare(value) >= 0.5) return false;
  if (sequentialShare(value) >= 0.5) return false;
  // Generated strings: per-character entropy close to the log of the alphabet; a written name repeats its letters.
  const bits = entropyBits(value);
  return bits >= (value.length < 32 ? 3.7 : 4.0);
}

/** The share of neighbouring characters that run in sequence (`ABCDEF…`, `0123456789`): an alphabet, not a secret. */
function sequentialShare(value: string): number {
  let runs = 0;
  for (let i = 1; i < value.length; i++) if (value.charCodeAt(i) === value.charCodeAt(i - 1) + 1) runs++;
  return runs / (value.length - 1);
}

/** Of the letters in a token, the share that sits in runs shaped like words or acronyms (`utf8`, `Sha256Digest`, `x86_64_linux`). */
function wordLetterShare(value: string): number {
  const runs = value.replace(/([a-z])([A-Z])/g, "$1 $2").split(/[^A-Za-z]+|\s/).filter((r) => r !== "");
  const letters = runs.reduce((n, r) => n + r.length, 0);
  if (letters === 0) return 0;
  const wordy = runs.filter(isWordRun).reduce((n, r) => n + r.length, 0);
  return wordy / letters;
}

function isWordRun(run: string): boolean {
  if (run.length < 3) return false;
  // Acronyms are words; a longer capital run (`NAMESPACE`) is judged as the word it spells.
  if (/^[A-Z]+$/.test(run) && run.length <= 5) return true;
  const lower = run.toLowerCase();
  if (!/^[a-z]+$/.test(lower.slice(1)) || !/[aeiouy]/.test(lower)) return false;
  const vowels = lower.replace(/[^aeiouy]/g, "").length / lower.length;
  return vowels >= 0.15 && vowels <= 0.6 && !/[^aeiouy]{5,}/.test(lower) && !/[aeiouy]{3,}/.test(lower);
}
