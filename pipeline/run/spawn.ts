/** Every child process scrum starts (the gate, command probes, git) goes through here. */

export interface ShellResult {
  code: number;
  stdout: string;
  stderr: string;
  /** The command ran past its time bound and was stopped. */
  timedOut?: boolean;
}

/** Run a shell command line in `cwd` and wait for it (at most `timeoutMs` when given, then it is stopped). */
export function runShell(command: string, cwd: string, timeoutMs?: number): ShellResult {
  const r = Bun.spawnSync(["sh", "-c", command], { cwd, stdout: "pipe", stderr: "pipe", ...(timeoutMs !== undefined ? { timeout: timeoutMs } : {}) });
  return { code: r.exitCode ?? 1, stdout: r.stdout.toString(), stderr: r.stderr.toString(), ...(r.exitedDueToTimeout ? { timedOut: true } : {}) };
}

/** The commit checked out in `cwd`, or null outside a git repository (or without git). */
/**
 * Which repository a checkout is a clone of: its `origin` remote without scheme, user, port or `.git`
 * (`github.com/org/repo` for https and ssh clones alike); null without git or an origin. Two checkouts at different
 * paths (runners, teammates) of one repository have the same identity.
 */
export function repositoryIdentity(cwd: string): string | null {
  let url: string;
  try {
    const r = Bun.spawnSync(["git", "config", "--get", "remote.origin.url"], { cwd, stdout: "pipe", stderr: "pipe" });
    if (r.exitCode !== 0) return null;
    url = r.stdout.toString().trim();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
  if (url === "") return null;
  const scp = /^[^/@:]+@([^/:]+):(.+)$/.exec(url);
  const plain = scp ? `${scp[1]}/${scp[2]}` : url.replace(/^[a-z+]+:\/\//i, "").replace(/^[^/@]*@/, "").replace(/^([^/:]+):\d+\//, "$1/");
  return plain.replace(/\.git\/?$/, "").replace(/\/+$/, "").replace(/^[^/]+/, (host) => host.toLowerCase());
}

export function gitHead(cwd: string): string | null {
  try {
    const r = Bun.spawnSync(["git", "rev-parse", "HEAD"], { cwd, stdout: "pipe", stderr: "pipe" });
    return r.exitCode === 0 ? r.stdout.toString().trim() : null;
  } catch (e) {
    // No git on PATH: the iteration records no commit rather than failing.
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
}
