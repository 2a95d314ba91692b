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
