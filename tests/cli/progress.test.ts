/** The plain progress lines of a run (stderr not a terminal). */
import { expect, test } from "bun:test";
import { progressPrinter } from "../../pipeline/cli/progress";
import type { StoredFile } from "../../pipeline/run/iteration";

test("file lines keep verdicts and paths in their columns past the ninth file", () => {
  let err = "";
  const io = { out: () => {}, err: (t: string) => void (err += t), errIsTty: false };
  const p = progressPrinter({ cwd: "/", env: {}, io, json: false, quiet: false });
  const stored = (): StoredFile => {
    throw new Error("not read");
  };
  for (const [done, verdict, path] of [[1, "pass", "a.go"], [10, "needs_patch", "b.go"], [12, "unreviewed", "c.go"]] as const) {
    p.event({ type: "file", path, verdict, done, total: 12, stored });
  }
  const lines = err.trimEnd().split("\n");
  expect(lines).toEqual(["[ 1/12] pass        a.go", "[10/12] needs_patch b.go", "[12/12] unreviewed  c.go"]);
  expect(new Set(lines.map((l) => l.indexOf(".go"))).size).toBe(1);
});

test("the start line counts one file as one file", () => {
  let err = "";
  const io = { out: () => {}, err: (t: string) => void (err += t), errIsTty: false };
  const p = progressPrinter({ cwd: "/", env: {}, io, json: false, quiet: false });
  for (const files of [1, 12]) p.event({ type: "start", iterationId: 3, files, rungs: ["static"], iteration: {} as never });
  expect(err.trimEnd().split("\n")).toEqual(["iteration 3: 1 file, ladder static", "iteration 3: 12 files, ladder static"]);
});
