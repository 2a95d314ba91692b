/**
 * Where a command's knowledge base, config and path root are, found like git finds its repository: from where the
 * targets are, not from the current directory. Pure over the file system (injected `exists` for tests).
 */
import { existsSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { inside } from "../targets/root-path";
import { isPostgresLocation } from "../../kb/engine";

/** The folder in a repository that holds scrum's config and KB. */
export const SCRUM_DIR = ".scrum";
/** The shipped config: used when no `.scrum/routing.toml` is found. */
export const SHIPPED_CONFIG = resolve(import.meta.dir, "../../config/routing.toml");

export interface Home {
  /** Paths in the KB are relative to this folder: the git repository holding the targets, else the folder holding .scrum/, else the current directory (or the targets' folder when they are not under it). */
  root: string;
  /** The git repository root, or null outside one. */
  gitRoot: string | null;
  kb: string;
  /** Where the KB path came from, for the line every command prints. */
  kbFrom: "--kb" | "$SCRUM_KB" | "default";
  config: string;
  configFrom: "--config" | "$SCRUM_CONFIG" | ".scrum" | "shipped";
}

export interface DiscoverInput {
  cwd: string;
  env: Record<string, string | undefined>;
  kbFlag?: string;
  configFlag?: string;
  /** The first target of a command that has targets (a path, directory or glob, relative to cwd). */
  firstTarget?: string;
  exists?: (path: string) => boolean;
}

/** Find the KB, the config and the path root for a command. */
export function discoverHome(input: DiscoverInput): Home {
  const exists = input.exists ?? existsSync;
  const start = startDir(input.cwd, input.firstTarget, exists);
  const gitRoot = findUp(start, (dir) => exists(join(dir, ".git")));
  const kbExplicit = input.kbFlag ?? nonEmpty(input.env.SCRUM_KB);
  const configExplicit = input.configFlag ?? nonEmpty(input.env.SCRUM_CONFIG);
  const local = findUp(start, (dir) => exists(join(dir, SCRUM_DIR, "routing.toml")));
  // Outside git: the folder holding .scrum/, else the current directory when the targets are under it, else the
  // first target's folder (a target typed from elsewhere is never outside its own root).
  const root = gitRoot ?? local ?? (inside(input.cwd, start) ? input.cwd : start);
  return {
    root,
    gitRoot,
    // A PostgreSQL URL is the KB as given; a file path is resolved against the current directory.
    kb: kbExplicit !== undefined ? (isPostgresLocation(kbExplicit) ? kbExplicit : resolve(input.cwd, kbExplicit)) : join(root, SCRUM_DIR, "scrum.db"),
    kbFrom: input.kbFlag !== undefined ? "--kb" : kbExplicit !== undefined ? "$SCRUM_KB" : "default",
    config: configExplicit !== undefined ? resolve(input.cwd, configExplicit) : local !== null ? join(local, SCRUM_DIR, "routing.toml") : SHIPPED_CONFIG,
    configFrom: input.configFlag !== undefined ? "--config" : configExplicit !== undefined ? "$SCRUM_CONFIG" : local !== null ? ".scrum" : "shipped",
  };
}

/** The directory discovery walks up from: the first target's (its folder for a file; the fixed part of a glob), else cwd. */
function startDir(cwd: string, target: string | undefined, exists: (p: string) => boolean): string {
  if (target === undefined) return cwd;
  // A glob's fixed leading folders still say where the files are: `src/**/*.ts` starts in src/.
  const fixed = target.split(/[\\/]/).filter((part, i, all) => !/[*?[\]{}]/.test(all.slice(0, i + 1).join("/")));
  let dir = resolve(cwd, fixed.join("/") || ".");
  while (!exists(dir) && dirname(dir) !== dir) dir = dirname(dir);
  try {
    if (!statSync(dir).isDirectory()) dir = dirname(dir);
  } catch (e) {
    // An injected `exists` may name folders that are not on disk (tests): treat them as folders.
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  return dir;
}

function findUp(from: string, found: (dir: string) => boolean): string | null {
  for (let dir = from; ; dir = dirname(dir)) {
    if (found(dir)) return dir;
    if (dirname(dir) === dir) return null;
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}
