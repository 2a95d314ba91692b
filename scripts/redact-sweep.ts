/**
 * False redactions on a real repository: redacts every source file as a cloud request would carry it (numbered
 * lines) and lists each masked string with its file and detector, to read and classify by hand.
 *
 *   git --git-dir /work/.mirror/BurntSushi+ripgrep/repo archive <commit> | tar -x -C /tmp/rg
 *   npx bun scripts/redact-sweep.ts /tmp/rg
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join } from "node:path";
import { numberLines } from "../pipeline/review/prompt";
import { redactSecrets } from "../pipeline/review/redact";
import { findSourceSecrets } from "../pipeline/review/secret-detectors";

const root = process.argv[2];
if (!root) {
  console.error("usage: bun scripts/redact-sweep.ts DIR");
  process.exit(2);
}
const EXTENSIONS = new Set([".rs", ".ts", ".tsx", ".js", ".mjs", ".py", ".go", ".toml", ".yaml", ".yml", ".json", ".md", ".sh"]);
const files: string[] = [];
const walk = (dir: string) => {
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name === ".git") continue;
    const path = join(dir, name);
    const st = statSync(path);
    if (st.isDirectory()) walk(path);
    else if (EXTENSIONS.has(extname(name)) && st.size < 200_000 && !name.endsWith("lock.json")) files.push(path);
  }
};
walk(root);
let masks = 0;
let touched = 0;
const rows = new Set<string>();
for (const file of files) {
  const text = numberLines(readFileSync(file, "utf8"), 1);
  const { count } = await redactSecrets(text);
  if (count === 0) continue;
  touched++;
  masks += count;
  for (const s of findSourceSecrets(text)) rows.add(`${file.slice(root.length)}\t${s.detector}\t${text.slice(s.start, s.end).slice(0, 80)}`);
}
console.log(`${files.length} files, ${touched} with a mask, ${masks} masks`);
for (const row of rows) console.log(row);
