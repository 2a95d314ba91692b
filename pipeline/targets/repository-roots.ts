/**
 * Which folders hold `.git`: a walk up for `.gitignore` or `.gitattributes` rules stops there. Asked once a folder,
 * not once a file; each reader keeps its own (a run's), so nothing outlives it in a long-lived process.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";

export class RepositoryRoots {
  private readonly known = new Map<string, boolean>();

  isRoot(dir: string): boolean {
    let root = this.known.get(dir);
    if (root === undefined) this.known.set(dir, (root = existsSync(join(dir, ".git"))));
    return root;
  }
}
