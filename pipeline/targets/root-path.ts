/**
 * A path typed on the command line as the KB keys it: relative to the repository root the KB's paths are relative
 * to, forward slashes. Typed from inside the root it is relative to the current directory; typed from outside, a
 * relative path is read against the root (the KB knows no other place); a path that lands outside the root is a
 * usage error, never a second key for the same file.
 */
import { isAbsolute, relative, resolve, sep } from "node:path";
import { UsageError } from "../../domain/errors";

export interface PathBase {
  cwd: string;
  /** The repository root (absolute). */
  root: string;
}

/** The KB key of a typed path, directory or glob ("." for the root itself). */
export function rootKey(typed: string, base: PathBase): string {
  let abs = resolve(base.cwd, typed);
  if (!inside(base.root, abs) && !isAbsolute(typed) && !inside(base.root, base.cwd)) abs = resolve(base.root, typed);
  if (!inside(base.root, abs)) {
    throw new UsageError(
      `"${typed}" is outside the repository root ${base.root} that the knowledge base's paths are relative to; give a path under it (or use another --kb for another repository)`,
    );
  }
  const rel = relative(base.root, abs) || ".";
  return sep === "/" ? rel : rel.split(sep).join("/");
}

/** Is `abs` the root or under it? */
export function inside(root: string, abs: string): boolean {
  const rel = relative(root, abs);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}
