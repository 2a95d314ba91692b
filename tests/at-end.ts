/**
 * Clean-up the whole test process owes at its end: a temp copy shared by many test files, a server started once.
 * `bun test` runs no `exit` handlers, so tests/preload.ts (preloaded through bunfig.toml) runs these in a global
 * afterAll, once, after the last file.
 */
const tasks: Array<() => void> = [];

export function atEnd(task: () => void): void {
  tasks.push(task);
}

export function runAtEnd(): void {
  for (const task of tasks.splice(0)) {
    try {
      task();
    } catch (e) {
      console.error(`clean-up after the tests failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
