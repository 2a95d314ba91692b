/**
 * Undoing the cheap disguises of an instruction before the injection check reads a line: invisible characters,
 * look-alike letters from other scripts, full-width forms, letters spaced apart, digits for letters, and base64.
 * Each function returns readings of the text to match against; the finding still quotes the original line.
 */

/** Zero-width and other invisible format characters a line can hide between the letters of a word. */
const INVISIBLE = /[\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180B-\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0]/g;

/** Cyrillic, Greek and other letters that look like Latin ones; mapped only for the Latin reading. */
const HOMOGLYPHS: Record<string, string> = {
  а: "a", в: "b", е: "e", ё: "e", к: "k", м: "m", н: "h", о: "o", р: "p", с: "c", т: "t", у: "y", х: "x", ѕ: "s", і: "i", ї: "i", ј: "j", ԁ: "d", ԛ: "q", ԝ: "w", һ: "h", ɡ: "g", ӏ: "l",
  А: "A", В: "B", Е: "E", К: "K", М: "M", Н: "H", О: "O", Р: "P", С: "C", Т: "T", У: "Y", Х: "X", Ѕ: "S", І: "I", Ј: "J",
  α: "a", ε: "e", ι: "i", κ: "k", ν: "v", ο: "o", ρ: "p", τ: "t", υ: "u", χ: "x", ϲ: "c",
  Α: "A", Β: "B", Ε: "E", Ζ: "Z", Η: "H", Ι: "I", Κ: "K", Μ: "M", Ν: "N", Ο: "O", Ρ: "P", Τ: "T", Υ: "Y", Χ: "X",
  ı: "i", ȷ: "j", ℓ: "l",
};
const HOMOGLYPH_CLASS = new RegExp(`[${Object.keys(HOMOGLYPHS).join("")}]`, "g");

const LEET: Record<string, string> = { "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", $: "s", "!": "i" };

/**
 * The text as a reader sees it: invisible characters removed and full-width and other compatibility letters folded
 * (NFKC), one character for one, so offsets in a line without invisible characters stay those of the line.
 */
export function visibleText(text: string): string {
  const stripped = text.replace(INVISIBLE, "");
  if (!/[^\x00-\x7F]/.test(stripped)) return stripped;
  return stripped.replace(/[^\x00-\x7F]/g, (c) => {
    const folded = c.normalize("NFKC");
    return folded.length === 1 ? folded : c;
  });
}

/**
 * Latin readings of a line for the English phrasings: look-alikes mapped, letters spaced or dotted apart joined
 * (`i g n o r e` → `ignore`), and digits standing for letters inside words read as letters (`1gn0re` → `ignore`).
 * Only readings that differ from the visible text are returned, so a plain line is matched once.
 */
export function latinReadings(visible: string): string[] {
  const out = new Set<string>();
  const latin = /[^\x00-\x7F]/.test(visible) ? visible.replace(HOMOGLYPH_CLASS, (c) => HOMOGLYPHS[c] ?? c) : visible;
  if (latin !== visible) out.add(latin);
  const joined = joinSpacedLetters(latin);
  if (joined !== latin) out.add(joined);
  // Only a word holding a digit or @$! can read differently: most lines hold none, and are not rewritten.
  const unleet = !/[0-9@$!]/.test(latin) ? latin : latin.replace(/[A-Za-z0-9@$!]*[A-Za-z][A-Za-z0-9@$!]*/g, (word) => (/[0-9@$!]/.test(word) && /[a-z]{2}/i.test(word) ? word.replace(/[0-9@$!]/g, (c) => LEET[c] ?? c) : word));
  if (unleet !== latin) out.add(unleet);
  return [...out];
}

/**
 * Runs of single letters split by one separator (`i g n o r e`, `i.g.n.o.r.e`, `i-g-n-o-r-e`) become words; a wider
 * gap (two spaces, ` / `) stays a word boundary.
 */
function joinSpacedLetters(text: string): string {
  return text.replace(/(?<![A-Za-z])[A-Za-z](?:[ .\-_*][A-Za-z](?![A-Za-z])){2,}/g, (run) => run.replace(/[ .\-_*]/g, ""));
}

/** A base64 run long enough to hold a phrase (12+ bytes). */
const BASE64_RUN = /[A-Za-z0-9+/]{16,}={0,2}/g;

/** Text decoded from the base64 runs of a line, when it decodes to printable prose (letters and spaces). */
export function decodedBase64(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(BASE64_RUN)) {
    const run = m[0];
    // Identifiers and words are base64 too; a real encoding of prose mixes case and has no long lower-case word.
    if (!/[A-Z]/.test(run) || !/[a-z]/.test(run) || run.length % 4 === 1) continue;
    const decoded = Buffer.from(run, "base64").toString("utf8");
    if (/^[\x20-\x7E\n\t]{12,}$/.test(decoded) && /[a-z]{3,} [a-z]{2,}/i.test(decoded)) out.push(decoded);
  }
  return out;
}
