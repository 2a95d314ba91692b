/** The targets stage: paths, directories and globs in; the files to review (and the ones skipped, with reasons) out. */
import { createHash } from "node:crypto";
import { closeSync, existsSync, openSync, readFileSync, readSync, readdirSync, statSync, type Stats } from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import ignore, { type Ignore } from "ignore";
import type { Config } from "../config/config";
import { UsageError } from "../../domain/errors";
import { VendoredCheck } from "./vendored";
import { RepositoryRoots } from "./repository-roots";
import { scriptExtension } from "../shard/script-language";

export interface TargetOptions {
  cwd: string;
  sweep: Config["sweep"];
}

/** A file read and ready to shard. */
export interface SourceFile {
  kind: "source";
  /** Relative to the working directory, with forward slashes: the key used in the KB. */
  path: string;
  absPath: string;
  text: string;
  sha: string;
  bytes: number;
  /** The file's mtime when it was read (its size is `bytes`); null when the bytes read were not `bytes` long (it changed meanwhile). */
  mtimeMs: number | null;
}

export interface SkippedFile {
  kind: "skipped";
  path: string;
  absPath: string;
  reason: string;
}

export type Target = SourceFile | SkippedFile;

const GLOB_CHARS = /[*?[\]{}]/;

/** Expand the command-line targets into a sorted, de-duplicated list of absolute file paths. */
export function collectTargets(inputs: string[], options: TargetOptions): string[] {
  if (inputs.length === 0) throw new UsageError("no targets: give paths, directories or globs (e.g. `scrum run src/`), or --from-flagged");
  const found = new Set<string>();
  const includes = options.sweep.include.map((p) => new Bun.Glob(p));
  const excludes = options.sweep.exclude.map((p) => new Bun.Glob(p));
  const excluded = (rel: string) => excludes.some((g) => g.match(rel));
  const taken = (rel: string) => includes.some((g) => g.match(rel)) && !excluded(rel);
  // A file with no extension is judged as the script its `#!` line names: `bin/deploy` as `bin/deploy.sh` would be.
  const wanted = (rel: string, abs: string) => {
    if (taken(rel)) return true;
    if (basename(rel).includes(".") || excluded(rel)) return false;
    const ext = scriptExtension(firstLine(abs));
    return ext !== undefined && taken(`${rel}${ext}`);
  };
  const ignores = new GitignoreStack(options.sweep.respectGitignore);

  for (const input of inputs) {
    const abs = resolve(options.cwd, input);
    if (GLOB_CHARS.test(input) && !existsSync(abs)) {
      const glob = new Bun.Glob(input);
      let matched = 0;
      for (const rel of glob.scanSync({ cwd: options.cwd, onlyFiles: true, dot: false })) {
        const file = resolve(options.cwd, rel);
        if (excluded(toPosix(rel)) || ignores.ignored(file)) continue;
        found.add(file);
        matched++;
      }
      if (matched === 0) throw new UsageError(`the glob "${input}" matches no file (relative to ${options.cwd})`);
      continue;
    }
    let stat: Stats;
    try {
      stat = statSync(abs);
    } catch {
      throw new UsageError(`target "${input}" does not exist (resolved to ${abs})`);
    }
    if (stat.isFile()) {
      // A file named on the command line is reviewed even if include/exclude would not pick it.
      found.add(abs);
    } else if (stat.isDirectory()) {
      walk(abs, abs, { wanted, excluded }, ignores, found);
    } else {
      throw new UsageError(`target "${input}" is neither a file nor a directory`);
    }
  }
  if (found.size === 0) {
    throw new UsageError(
      `no file to review in ${inputs.map((i) => `"${i}"`).join(", ")}: [sweep] include/exclude and .gitignore files left nothing` +
        (options.sweep.respectGitignore ? " (set respect_gitignore = false in [sweep] to review ignored files)" : ""),
    );
  }
  return [...found].sort();
}

interface Filters {
  wanted: (rel: string, abs: string) => boolean;
  excluded: (rel: string) => boolean;
}

function walk(root: string, dir: string, filters: Filters, ignores: GitignoreStack, found: Set<string>): void {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    const abs = join(dir, e.name);
    if (e.name === ".git") continue;
    if (ignores.ignored(abs, e.isDirectory())) continue;
    const rel = toPosix(relative(root, abs));
    if (e.isDirectory()) {
      // Prune a directory an exclude pattern covers whole ("node_modules/**"): it can hold 100k files.
      if (filters.excluded(`${rel}/x`)) continue;
      walk(root, abs, filters, ignores, found);
    } else if (e.isFile() && filters.wanted(rel, abs)) {
      found.add(abs);
    }
  }
}

/** The first bytes of a file, enough for a `#!` line; "" when it cannot be read (the read stage says why, if it is taken). */
function firstLine(abs: string): string {
  let fd: number | undefined;
  try {
    fd = openSync(abs, "r");
    const buf = Buffer.alloc(128);
    return buf.toString("latin1", 0, readSync(fd, buf, 0, buf.length, 0));
  } catch (e) {
    // Unreadable here (gone, no permission): not a script this stage can tell; a file taken anyway is read, and says why, later.
    if ((e as NodeJS.ErrnoException).code !== undefined) return "";
    throw e;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

const vendoredCheck = new VendoredCheck();

/** Read one target: skipped with a reason when binary, empty, too large, not UTF-8, or (with skipVendored) vendored, generated or minified. */
export function readTarget(absPath: string, cwd: string, maxFileBytes: number, options: { skipVendored?: boolean } = {}): Target {
  const path = displayPath(absPath, cwd);
  const skip = (reason: string): SkippedFile => ({ kind: "skipped", path, absPath, reason });
  const stats = statSync(absPath, { throwIfNoEntry: false });
  // Deleted (or replaced by a folder, a pipe) since the sweep was planned: one file, not the whole run.
  if (stats === undefined) return skip("gone: deleted after the sweep was planned");
  if (!stats.isFile()) return skip("not a regular file (a FIFO, a device or a folder)");
  const size = stats.size;
  if (size === 0) return skip("empty file (0 bytes)");
  if (size > maxFileBytes) return skip(`too large: ${size} bytes > max_file_bytes ${maxFileBytes} ([sweep] in routing.toml)`);
  const bytes = readFileSync(absPath);
  const head = bytes.subarray(0, 8192);
  if (head.includes(0)) return skip("binary file (NUL byte in the first 8 KiB)");
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return skip(`not valid UTF-8 (first bad byte near offset ${firstInvalidUtf8(bytes)})`);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === "") return skip("empty file (whitespace only)");
  const notOurs = options.skipVendored ? vendoredCheck.reason(absPath, text) : null;
  if (notOurs) return skip(notOurs);
  const sha = createHash("sha256").update(bytes).digest("hex");
  return { kind: "source", path, absPath, text, sha, bytes: size, mtimeMs: bytes.length === size ? stats.mtimeMs : null };
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  let lo = 0;
  let hi = bytes.length;
  const dec = new TextDecoder("utf-8", { fatal: true });
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    try {
      dec.decode(bytes.subarray(0, mid));
      lo = mid;
    } catch {
      hi = mid;
    }
  }
  return lo;
}

/** The path stored in the KB: relative to the working directory when inside it, forward slashes. */
export function displayPath(absPath: string, cwd: string): string {
  const rel = relative(cwd, absPath);
  return toPosix(rel.startsWith("..") ? absPath : rel);
}

function toPosix(p: string): string {
  return sep === "/" ? p : p.split(sep).join("/");
}

/** .gitignore files of each directory and its ancestors up to the repository root, applied with their own base. */
class GitignoreStack {
  private readonly cache = new Map<string, Ignore | null>();
  private readonly roots = new RepositoryRoots();
  constructor(private readonly enabled: boolean) {}

  ignored(absPath: string, isDir = false): boolean {
    if (!this.enabled) return false;
    let dir = dirname(absPath);
    while (true) {
      const ig = this.load(dir);
      if (ig) {
        const rel = toPosix(relative(dir, absPath));
        if (rel && ig.ignores(isDir ? `${rel}/` : rel)) return true;
      }
      if (this.roots.isRoot(dir)) return false;
      const parent = dirname(dir);
      if (parent === dir) return false;
      dir = parent;
    }
  }

  private load(dir: string): Ignore | null {
    if (this.cache.has(dir)) return this.cache.get(dir) ?? null;
    const file = join(dir, ".gitignore");
    const ig = existsSync(file) ? ignore().add(readFileSync(file, "utf8")) : null;
    this.cache.set(dir, ig);
    return ig;
  }
}
