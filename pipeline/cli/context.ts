/** What every command receives: parsed global flags, the environment, the output streams, and where its KB and config are. */
import { existsSync } from "node:fs";
import { basename, dirname, relative } from "node:path";
import { Kb } from "../../kb/kb";
import { isPostgresLocation, showLocation } from "../../kb/engine";
import { loadConfig, type Config } from "../config/config";
import { ConfigError } from "../../domain/errors";
import { discoverHome, SCRUM_DIR, type Home } from "./discover";
import { rootKey } from "../targets/root-path";
import { repositoryIdentity } from "../run/spawn";

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Whether stderr is a terminal (live progress line) or not (plain lines). */
  errIsTty: boolean;
}

export interface CommandContext {
  cwd: string;
  env: Record<string, string | undefined>;
  io: Io;
  json: boolean;
  quiet: boolean;
  kbFlag?: string;
  configFlag?: string;
  /** Where the KB, config and path root are; found from the command's first target when it has one (see discover.ts). */
  home?: Home;
}

/** The command's home, discovered from the current directory when the entry did not set it from a target. */
export function homeOf(ctx: CommandContext): Home {
  ctx.home ??= discoverHome({
    cwd: ctx.cwd,
    env: ctx.env,
    ...(ctx.kbFlag !== undefined ? { kbFlag: ctx.kbFlag } : {}),
    ...(ctx.configFlag !== undefined ? { configFlag: ctx.configFlag } : {}),
  });
  return ctx.home;
}

/** The config file the command reads: --config, $SCRUM_CONFIG, the nearest .scrum/routing.toml, else the shipped one. */
export function configFile(ctx: CommandContext): string {
  return homeOf(ctx).config;
}

/**
 * Load the command's config (validated; a problem is a ConfigError naming file, line and key). There is always one:
 * without a .scrum/routing.toml the shipped config is used, so commands that need no ladder work anywhere.
 */
export function loadContextConfig(ctx: CommandContext): Config {
  return loadConfig(configFile(ctx));
}

/** The knowledge-base file: --kb, $SCRUM_KB, else .scrum/scrum.db at the root of the git repository. */
export function kbFile(ctx: CommandContext): string {
  return homeOf(ctx).kb;
}

/**
 * Open the command's knowledge base; a command that reads history needs one that exists. `snapshot`: a read-only
 * command reads everything from one consistent snapshot until kb.close(), so a run writing meanwhile never shows half
 * a file's rows. Triggers put back at open (dropped outside scrum) are said on stderr.
 */
export function openKb(ctx: CommandContext, options: { mustExist: boolean; snapshot?: boolean }): Kb {
  const file = kbFile(ctx);
  // A PostgreSQL KB always exists once reachable; a command on one with no history says so as on an empty file.
  if (options.mustExist && !isPostgresLocation(file) && !existsSync(file)) {
    throw new ConfigError(`no knowledge base at ${file}; run \`scrum run PATH\` first (or \`scrum init\`), or pass --kb FILE`);
  }
  const kb = new Kb(file);
  adoptKbRoot(ctx, kb);
  if (kb.restoredTriggers.length > 0) {
    ctx.io.err(`scrum: warning: ${showLocation(file)} had lost append-only trigger${kb.restoredTriggers.length === 1 ? "" : "s"} ${kb.restoredTriggers.join(", ")} (changed outside scrum); restored. Rows written meanwhile may not be scrum's.\n`);
  }
  if (options.snapshot) kb.beginSnapshot();
  return kb;
}

/**
 * Paths resolve against the root the KB stored when it ran, not wherever the command happens to run: a KB given by
 * --kb or $SCRUM_KB from another directory still finds its rows. A KB in its default place (.scrum/ of the root that
 * discovery found) is in its root by construction, which also holds when the repository moved (a CI cache restored
 * into another checkout path); so is one at `<dir>/.scrum/` whose stored root is gone from disk.
 */
function adoptKbRoot(ctx: CommandContext, kb: Kb): void {
  const home = homeOf(ctx);
  const stored = kb.meta.root();
  if (home.kbFrom === "default" || stored === null || stored === home.root) return;
  // Another checkout of the repository the KB reviews (a runner, a teammate's clone, a worker): its own tree is the
  // root, even where the stored one also exists on this machine (two runners' workspaces on one host).
  const identity = kb.meta.repository();
  if (home.gitRoot !== null && identity !== null && repositoryIdentity(home.gitRoot) === identity) return;
  if (existsSync(stored)) ctx.home = { ...home, root: stored };
  else if (basename(dirname(home.kb)) === SCRUM_DIR) ctx.home = { ...home, root: dirname(dirname(home.kb)) };
}

/**
 * A path the user typed as the KB keys it: relative to the KB's root, forward slashes (see targets/root-path.ts);
 * a path outside the root is a usage error.
 */
export function kbPathOf(ctx: CommandContext, typed: string): string {
  return rootKey(typed, { cwd: ctx.cwd, root: homeOf(ctx).root });
}

/** The KB and config a command used, for JSON outputs: two KBs are never confused silently. */
export function sources(ctx: CommandContext, used: { config?: boolean } = {}): { kb: string; config?: string } {
  const home = homeOf(ctx);
  return { kb: showLocation(home.kb), ...(used.config ? { config: home.config } : {}) };
}

/** Say on stderr which KB (and config) the command uses, unless --quiet. */
export function announce(ctx: CommandContext, used: { config?: boolean } = {}): void {
  if (ctx.quiet) return;
  const home = homeOf(ctx);
  const show = (file: string) => {
    if (isPostgresLocation(file)) return showLocation(file);
    const rel = relative(ctx.cwd, file);
    return rel.startsWith("..") || rel === "" ? file : rel;
  };
  const kb = `kb ${show(home.kb)}${home.kbFrom === "default" ? "" : ` (${home.kbFrom})`}`;
  const config = used.config ? `, config ${show(home.config)}${home.configFrom === ".scrum" ? "" : ` (${home.configFrom})`}` : "";
  ctx.io.err(`scrum: ${kb}${config}\n`);
}
