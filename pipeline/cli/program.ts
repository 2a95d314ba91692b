/**
 * The command line, defined once with commander: parsing, per-command help (with defaults) and `--version` come from
 * this one definition. Command modules are imported only when their command runs, so `scrum --help` stays fast.
 */
import { Command, Option } from "commander";
import pkg from "../../package.json";
import { UsageError } from "../../domain/errors";
import type { CommandContext, Io } from "./context";
import { discoverHome, type Home } from "./discover";
import { checkHome } from "./paths";

/** Flags whose value is optional: only `--flag=ITER` binds a value; a following word is a positional (see run.ts). */
export const OPTIONAL_VALUE_FLAGS = ["--from-flagged", "--resume"] as const;

export interface ProgramDeps {
  env: Record<string, string | undefined>;
  io: Io;
  cwd: string;
  signal: AbortSignal;
  /** Receives the exit code of the command that ran. */
  exit: (code: number) => void;
  /** Told where the command's KB and config are, so an I/O failure can name them. */
  onHome?: (home: Home) => void;
}

interface GlobalFlags {
  kb?: string;
  config?: string;
  json?: boolean;
  quiet?: boolean;
}

/** Build the program; a fresh one per invocation (commander keeps parsed state on the objects). */
export function buildProgram(deps: ProgramDeps): Command {
  const program = new Command("scrum")
    .description("multi-model code audits run as a loop: review, store every verdict, fix, review again")
    .version(pkg.version, "--version", "print the version")
    .helpOption("-h, --help", "show help for a command")
    .option("--kb <file>", "knowledge base (default: $SCRUM_KB, else .scrum/scrum.db at the root of the git repository holding the targets)")
    .option("--config <file>", "routing.toml (default: $SCRUM_CONFIG, else the nearest .scrum/routing.toml, else the shipped config)")
    .option("--json", "machine-readable output on stdout")
    .option("--quiet", "no progress or notices on stderr")
    .showHelpAfterError("(`scrum COMMAND --help` lists its options)")
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .addHelpText(
      "after",
      "\nITER is an iteration id, a label, `latest` or `previous`.\nExit codes: 0 done, 1 runtime failure, 2 usage or config error, 3 the --fail-on gate tripped.\nDocs: README.md and docs/ (CONFIG, WORKFLOWS, METRICS, REPORTS, DASHBOARD, SHARDING).",
    )
    .exitOverride()
    .configureOutput({ writeOut: (s) => deps.io.out(s.replace(/\n$/, "")), writeErr: (s) => deps.io.err(s) });

  /** The context of a command, its home found from its first target (paths, a FILE) or the current directory. */
  const contextOf = (cmd: Command, firstTarget?: string): CommandContext => {
    const g = cmd.optsWithGlobals<GlobalFlags>();
    const ctx: CommandContext = {
      cwd: deps.cwd,
      env: deps.env,
      io: deps.io,
      json: g.json === true,
      quiet: g.quiet === true,
      ...(g.kb !== undefined ? { kbFlag: g.kb } : {}),
      ...(g.config !== undefined ? { configFlag: g.config } : {}),
    };
    ctx.home = discoverHome({ cwd: ctx.cwd, env: ctx.env, ...(g.kb !== undefined ? { kbFlag: g.kb } : {}), ...(g.config !== undefined ? { configFlag: g.config } : {}), ...(firstTarget !== undefined ? { firstTarget } : {}) });
    deps.onHome?.(ctx.home);
    checkHome(ctx.home, { ...(g.kb !== undefined ? { kb: g.kb } : {}), ...(g.config !== undefined ? { config: g.config } : {}) });
    return ctx;
  };
  const done = (code: number) => deps.exit(code);
  // The context module loads the KB and config code: imported when a command runs, never for --help or --version.
  const announce = async (ctx: CommandContext, used: { config?: boolean } = {}) => (await import("./context")).announce(ctx, used);

  program
    .command("init")
    .description("write .scrum/routing.toml (the shipped config, commented) and a .gitignore for the KB in this repository")
    .option("--force", "overwrite an existing .scrum/routing.toml")
    .action(async (opts: { force?: boolean }, cmd: Command) => {
      const { initCommand } = await import("./commands/init");
      done(initCommand(contextOf(cmd), { force: opts.force === true }));
    });

  program
    .command("run")
    .description("one iteration: review the targets, store verdicts, attempts and metrics")
    .argument("[paths...]", "files, directories and globs to sweep")
    .option("--label <text>", "a name for the iteration (usable as ITER)")
    .addOption(new Option("--from-flagged [ITER]", "re-review the files the state flags (default: latest); ITER may also be the next word when it names an iteration in the KB"))
    .addOption(new Option("--resume [ITER]", "take over a stale or aborted iteration and finish it (default: latest); ITER may also be the next word when it names an iteration"))
    .option("--changed", "review the files changed since their last review, and new ones (with no paths: the tree earlier sweeps covered)")
    .option("--no-cache", "ask every rung again instead of reusing answers accepted before")
    .option("--estimate", "print files, shards, cached shards, tokens and cost per rung; call nothing")
    .option("--offline", "static rung only: no model is called")
    .option("--concurrency <n>", "calls in flight per server of every model rung (default: each rung's concurrency in routing.toml)")
    .option("--events <file>", "append every run event to FILE.jsonl as one JSON object a line (docs/EVENTS.md)")
    .addOption(new Option("--fail-on <verdict>", "exit 3 when a file ends with this verdict or worse (unreviewed counts)").choices(["needs_patch", "fail"]))
    .option("--partition <K/N>", "review only share K of N of the planned files (the same split on every machine; docs/TEAM.md); `scrum kb merge` joins the shares' KBs, or --iteration-group puts every share into one iteration of a shared KB")
    .option("--workers", "be one of several workers of --iteration-group's iteration on a shared KB: review the files claimed from its queue (docs/TEAM.md)")
    .option("--iteration-group <name>", "the shared iteration the workers or --partition jobs join (the first opens it with its planned files and, for partitions, fixes the split)")
    .action(async (paths: string[], opts: Record<string, string | boolean | undefined>, cmd: Command) => {
      const { runCommand } = await import("./commands/run");
      const ctx = contextOf(cmd, paths[0]);
      await announce(ctx, { config: true });
      const str = (k: string) => (typeof opts[k] === "string" ? (opts[k] as string) : undefined);
      done(
        await runCommand(
          ctx,
          {
            paths,
            offline: opts.offline === true,
            changed: opts.changed === true,
            noCache: opts.cache === false,
            estimate: opts.estimate === true,
            ...(str("concurrency") !== undefined ? { concurrency: str("concurrency")! } : {}),
            ...(str("label") !== undefined ? { label: str("label")! } : {}),
            ...(str("fromFlagged") !== undefined ? { fromFlagged: str("fromFlagged")! } : {}),
            ...(str("resume") !== undefined ? { resume: str("resume")! } : {}),
            ...(str("failOn") !== undefined ? { failOn: str("failOn")! } : {}),
            ...(str("events") !== undefined ? { events: str("events")! } : {}),
            ...(str("partition") !== undefined ? { partition: str("partition")! } : {}),
            ...(opts.workers === true ? { workers: true } : {}),
            ...(str("iterationGroup") !== undefined ? { iterationGroup: str("iterationGroup")! } : {}),
          },
          deps.signal,
        ),
      );
    });

  program
    .command("history")
    .description("the iteration tracker: one row per iteration with its headline metrics")
    .action(async (_opts: unknown, cmd: Command) => {
      const { historyCommand } = await import("./commands/history");
      const ctx = contextOf(cmd);
      await announce(ctx);
      done(historyCommand(ctx));
    });

  program
    .command("rungs")
    .description("per rung: answers, how often later judgments overturned its findings (95% Wilson interval), cost per accepted answer and per confirmed finding")
    .option("--min-judged <N>", "judged findings a rung and category need to count as trusted", "30")
    .action(async (opts: { minJudged: string }, cmd: Command) => {
      const { rungsCommand } = await import("./commands/rungs");
      const ctx = contextOf(cmd);
      const minJudged = Number(opts.minJudged);
      if (!Number.isInteger(minJudged) || minJudged < 1) throw new UsageError(`--min-judged must be a whole number of at least 1; got "${opts.minJudged}"`);
      await announce(ctx);
      done(rungsCommand(ctx, { minJudged }));
    });

  program
    .command("diff")
    .description("metric deltas (better/worse), verdict transitions, findings new / resolved / persisting")
    .argument("[A]", "the earlier iteration (default: the one before B)")
    .argument("[B]", "the later iteration (default: latest)")
    .addOption(new Option("--scope <scope>", "state: every file's latest review (a partial sweep never reads as a collapse); iteration: only the files both reviewed").choices(["state", "iteration"]).default("state"))
    .action(async (a: string | undefined, b: string | undefined, opts: { scope: "state" | "iteration" }, cmd: Command) => {
      const { diffCommand } = await import("./commands/diff");
      const ctx = contextOf(cmd);
      await announce(ctx);
      done(diffCommand(ctx, [a, b].filter((x): x is string => x !== undefined), opts.scope));
    });

  program
    .command("status")
    .description("the state: each file's latest verdict, tier, findings, the iteration it comes from, stale if changed since")
    .argument("[paths...]", "files or folders (default: every file the state holds)")
    .action(async (paths: string[], _opts: unknown, cmd: Command) => {
      const { statusCommand } = await import("./commands/state");
      const ctx = contextOf(cmd, paths[0]);
      await announce(ctx);
      done(statusCommand(ctx, paths));
    });

  program
    .command("show")
    .description("a file's verdict (the state's row: its latest review; or one iteration's), findings and every attempt")
    .argument("<ITER_OR_PATH>", "an iteration, or the path when no iteration is given")
    .argument("[PATH]", "the file")
    .action(async (first: string, second: string | undefined, _opts: unknown, cmd: Command) => {
      const { showCommand } = await import("./commands/show");
      const ctx = contextOf(cmd);
      await announce(ctx);
      done(showCommand(ctx, [first, second].filter((x): x is string => x !== undefined)));
    });

  program
    .command("flagged")
    .description("from the state: files whose verdict is fail, needs_patch or unreviewed, or whose tier is block, most urgent first")
    .argument("[ITER]", "the state after this iteration (default: latest)")
    .addOption(new Option("--format <format>", "output format (default: table; json with --json)").choices(["table", "paths", "json"]))
    .option("--include <what>", "also list passes at tier review (review) and files changed since their review (stale): review,stale")
    .action(async (iter: string | undefined, opts: { format?: string; include?: string }, cmd: Command) => {
      const { flaggedCommand } = await import("./commands/state");
      const ctx = contextOf(cmd);
      if (ctx.json && opts.format !== undefined && opts.format !== "json") throw new UsageError(`--json and --format ${opts.format} ask for two outputs; give one`);
      await announce(ctx);
      done(flaggedCommand(ctx, iter === undefined ? [] : [iter], opts.format, opts.include));
    });

  program
    .command("dismiss")
    .description("keep a finding out of verdicts, metrics and flagged while its fingerprint persists")
    .argument("[FINGERPRINT_OR_PATH:LINE]", "the finding: its fingerprint (`scrum show PATH`), or PATH:LINE of one finding")
    .option("--reason <text>", "why it is not a problem (required; shown in reports and SARIF suppressions)")
    .option("--list", "every dismissal, undone ones too")
    .option("--undo <id>", "undo a dismissal: the finding counts again at once where the file's latest review counted it, else from its next review")
    .action(async (target: string | undefined, opts: { reason?: string; list?: boolean; undo?: string }, cmd: Command) => {
      const { dismissCommand } = await import("./commands/dismiss");
      const ctx = contextOf(cmd);
      await announce(ctx);
      done(dismissCommand(ctx, target, opts));
    });

  program
    .command("abort")
    .description("mark a running or stale iteration aborted (what finished is kept)")
    .argument("<ITER>", "the iteration")
    .action(async (ref: string, _opts: unknown, cmd: Command) => {
      const { abortCommand } = await import("./commands/abort");
      const ctx = contextOf(cmd);
      await announce(ctx);
      done(abortCommand(ctx, ref));
    });

  program
    .command("report")
    .description("an iteration's or the state's report: Markdown, JSON, SARIF 2.1.0, reviewdog rdjsonl, GitLab Code Quality")
    .argument("[ITER]", "the iteration (default: latest)")
    .option("--format <format>", "md, json, sarif, rdjsonl or codeclimate (default: md; json with --json)")
    .option("--out <file>", "write the report here (atomically) instead of stdout")
    .addOption(new Option("--scope <scope>", "iteration: the files ITER reviewed; state: every file's latest review after ITER (what to upload after a --changed run)").choices(["iteration", "state"]).default("iteration"))
    .action(async (iter: string | undefined, opts: { format?: string; out?: string; scope: "iteration" | "state" }, cmd: Command) => {
      const { reportCommand } = await import("./commands/report");
      const ctx = contextOf(cmd);
      if (ctx.json && opts.format !== undefined && opts.format !== "json") throw new UsageError(`--json and --format ${opts.format} ask for two outputs; give one`);
      done(reportCommand(ctx, iter === undefined ? [] : [iter], { ...(opts.format !== undefined ? { format: opts.format } : {}), ...(opts.out !== undefined ? { out: opts.out } : {}), scope: opts.scope }));
    });

  const kbGroup = program.command("kb").description("the knowledge base itself: `scrum kb merge` joins the KBs of a partitioned sweep; `kb export` / `kb import` copy history between KBs and engines");
  kbGroup
    .command("merge")
    .description("merge the KBs of `scrum run --partition K/N` jobs into one new iteration of the KB (--into, else the discovered one); refuses overlaps, says what no partition reviewed")
    .argument("<files...>", "the partitions' KB files")
    .option("--into <kb>", "the KB that takes the merged iteration (default: --kb, $SCRUM_KB, else .scrum/scrum.db of the repository)")
    .option("--label <text>", "the merged iteration's label (default: the partitions' label when they agree)")
    .addOption(new Option("--fail-on <verdict>", "exit 3 when a file of the merged iteration has this verdict or worse (unreviewed counts)").choices(["needs_patch", "fail"]))
    .action(async (files: string[], opts: { into?: string; label?: string; failOn?: string }, cmd: Command) => {
      const { kbMergeCommand } = await import("./commands/kb-merge");
      if (opts.into !== undefined && cmd.optsWithGlobals<GlobalFlags>().kb !== undefined) throw new UsageError("--into and --kb both name the KB to merge into; give one");
      const ctx = contextOf(cmd);
      if (opts.into !== undefined) {
        ctx.kbFlag = opts.into;
        ctx.home = discoverHome({ cwd: ctx.cwd, env: ctx.env, kbFlag: opts.into, ...(ctx.configFlag !== undefined ? { configFlag: ctx.configFlag } : {}) });
        checkHome(ctx.home, { kb: opts.into });
      }
      await announce(ctx);
      done(kbMergeCommand(ctx, { files, ...(opts.label !== undefined ? { label: opts.label } : {}), ...(opts.failOn !== undefined ? { failOn: opts.failOn } : {}) }));
    });

  kbGroup
    .command("export")
    .description("copy the whole history of the KB into a new one: a file that does not exist yet, or an empty postgres:// KB (every table, ids renumbered)")
    .argument("<kb>", "the new KB: a file (e.g. history.db) or a postgres:// URL")
    .action(async (target: string, _opts: unknown, cmd: Command) => {
      const { kbExportCommand } = await import("./commands/kb-transfer");
      const ctx = contextOf(cmd);
      await announce(ctx);
      done(kbExportCommand(ctx, target));
    });
  kbGroup
    .command("import")
    .description("fill the KB, which must have no history yet, with the whole history of another KB (a file or a postgres:// URL)")
    .argument("<kb>", "the KB to copy from")
    .action(async (from: string, _opts: unknown, cmd: Command) => {
      const { kbImportCommand } = await import("./commands/kb-transfer");
      const ctx = contextOf(cmd);
      await announce(ctx);
      done(kbImportCommand(ctx, from));
    });

  program
    .command("dashboard")
    .description("self-contained HTML: trajectory charts, flagged files, KB health")
    .requiredOption("--out <file>", "the HTML file to write")
    .action(async (opts: { out: string }, cmd: Command) => {
      const { dashboardCommand } = await import("./commands/dashboard");
      const ctx = contextOf(cmd);
      await announce(ctx);
      done(dashboardCommand(ctx, { out: opts.out }));
    });

  const note = program.command("note").description("fix-next-loop notes: put into a file's prompt the next time a model reviews it");
  note
    .command("add")
    .description("add a note on a file")
    .argument("<PATH>", "the file the note is about")
    .argument("<TEXT...>", "the note")
    .action(async (path: string, words: string[], _opts: unknown, cmd: Command) => {
      const { noteCommand } = await import("./commands/note");
      const ctx = contextOf(cmd);
      await announce(ctx);
      done(noteCommand(ctx, ["add", path, ...words]));
    });
  note
    .command("list")
    .description("every note with its status")
    .action(async (_opts: unknown, cmd: Command) => {
      const { noteCommand } = await import("./commands/note");
      const ctx = contextOf(cmd);
      await announce(ctx);
      done(noteCommand(ctx, ["list"]));
    });
  note
    .command("resolve")
    .description("mark a note resolved")
    .argument("<ID>", "the note id (`scrum note list`)")
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const { noteCommand } = await import("./commands/note");
      const ctx = contextOf(cmd);
      await announce(ctx);
      done(noteCommand(ctx, ["resolve", id]));
    });

  program
    .command("bench")
    .description("plant known defects in a scratch copy and measure each rung and the ladder: recall, precision, noise, cost per true positive")
    .argument("[paths...]", "the files to bench (a scratch copy is planted; your tree is never modified)")
    .option("--offline", "bench the static rung only")
    .option("--seed <n>", "seed of the plants (reproducible)", "1")
    .option("--plants <n>", "defects to plant at most", "24")
    .option("--operators <list>", "comma-separated plant operators (default: all)")
    .option("--repeat <k>", "review K times with the cache off and report stability", "1")
    .option("--tolerance <n>", "lines a finding may be off from a plant", "2")
    .option("--labels <file>", "an external labelled set (JSONL: path, line_start, line_end, category?) instead of plants")
    .option("--concurrency <n>", "calls in flight per server of every model rung", "8")
    .option("--history", "list earlier bench runs")
    .action(async (paths: string[], opts: Record<string, string | boolean | undefined>, cmd: Command) => {
      const { benchCommand } = await import("./commands/bench");
      const ctx = contextOf(cmd, paths[0]);
      await announce(ctx, { config: true });
      const str = (k: string) => (typeof opts[k] === "string" ? (opts[k] as string) : undefined);
      const flags = {
        offline: opts.offline === true,
        history: opts.history === true,
        ...Object.fromEntries(["seed", "plants", "operators", "repeat", "tolerance", "labels", "concurrency"].flatMap((k) => (str(k) !== undefined ? [[k, str(k)!]] : []))),
      };
      done(await benchCommand(ctx, paths, flags, deps.signal));
    });

  program
    .command("shard")
    .description("the shard plan of one file (debugging)")
    .argument("<FILE>", "the file")
    .action(async (file: string, _opts: unknown, cmd: Command) => {
      const { shardCommand } = await import("./commands/shard");
      done(await shardCommand(contextOf(cmd, file), [file]));
    });

  const config = program.command("config").description("the config: `scrum config check` validates it and probes every rung");
  config
    .command("check")
    .description("validate the config; probe each rung for reachability and model presence")
    .action(async (_opts: unknown, cmd: Command) => {
      const { configCheckCommand } = await import("./commands/config-check");
      done(await configCheckCommand(contextOf(cmd)));
    });

  return program;
}

/**
 * `--resume` and `--from-flagged` take a value only as `--flag=ITER`: a bare flag becomes `--flag=` (empty: "the
 * word after me may be an ITER, ask the KB"), so whether a file of that name exists never changes the meaning.
 */
export function bindOptionalValues(argv: string[]): string[] {
  return argv.map((a) => ((OPTIONAL_VALUE_FLAGS as readonly string[]).includes(a) ? `${a}=` : a));
}
