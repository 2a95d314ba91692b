/** Every child process scrum starts (the gate, command probes, git) goes through here. */

export interface ShellResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a shell command line in `cwd` and wait for it. */
export function runShell(command: string, cwd: string): ShellResult {
  const r = Bun.spawnSync(["sh", "-c", command], { cwd, stdout: "pipe", stderr: "pipe" });
  return { code: r.exitCode ?? 1, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
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
