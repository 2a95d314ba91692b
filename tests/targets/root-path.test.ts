import { expect, test } from "bun:test";
import { rootKey } from "../../pipeline/targets/root-path";

const root = "/home/u/repo";

test.each([
  ["src/a.ts", "/home/u/repo", "src/a.ts"],
  ["a.ts", "/home/u/repo/src", "src/a.ts"],
  ["../README.md", "/home/u/repo/src", "README.md"],
  [".", "/home/u/repo", "."],
  ["src/**/*.ts", "/home/u/repo", "src/**/*.ts"],
  ["/home/u/repo/src/a.ts", "/tmp", "src/a.ts"],
  // From outside the root a relative path can only mean one under the root.
  ["src/a.ts", "/tmp", "src/a.ts"],
  // A sibling whose name starts with the root's is not under it.
  ["/home/u/repo-two/../repo/x.ts", "/", "x.ts"],
])("%s typed in %s is %s", (typed, cwd, key) => {
  expect(rootKey(typed, { cwd, root })).toBe(key);
});

test.each([
  ["/home/u/repo-two/a.ts", "/home/u/repo"],
  ["../other/a.ts", "/home/u/repo"],
  ["/etc/passwd", "/tmp"],
])("%s typed in %s is outside the root: a usage error naming it", (typed, cwd) => {
  expect(() => rootKey(typed, { cwd, root })).toThrow(/outside the repository root \/home\/u\/repo/);
});
