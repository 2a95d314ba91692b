/** Which repository a checkout is a clone of: the same identity for https and ssh clones, never a credential. */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repositoryIdentity } from "../../pipeline/run/spawn";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function cloneWithOrigin(url: string | null): string {
  const dir = mkdtempSync(join(tmpdir(), "scrum-identity-"));
  dirs.push(dir);
  Bun.spawnSync(["git", "init", "-q"], { cwd: dir });
  if (url !== null) Bun.spawnSync(["git", "remote", "add", "origin", url], { cwd: dir });
  return dir;
}

test("https, ssh and scp-style clones of one repository have one identity; credentials and ports are dropped", () => {
  for (const url of [
    "https://github.com/Org/Repo.git",
    "git@github.com:Org/Repo.git",
    "ssh://git@GitHub.com:22/Org/Repo",
    "https://ci-user:ghp_s3cr3tT0ken@github.com/Org/Repo/",
  ]) {
    const identity = repositoryIdentity(cloneWithOrigin(url));
    expect([url, identity]).toEqual([url, "github.com/Org/Repo"]);
  }
});

test("a local origin is its path; no origin, no identity", () => {
  expect(repositoryIdentity(cloneWithOrigin("/srv/git/repo.git"))).toBe("/srv/git/repo");
  expect(repositoryIdentity(cloneWithOrigin(null))).toBeNull();
});
