/** Write a file so a reader never sees it half-written: a temp file in the same folder, then a rename over the target. */
import * as nodeFs from "node:fs";
import { basename, dirname, join } from "node:path";
import { UsageError } from "../../domain/errors";

/** The file-system calls the write needs; tests pass a recording fake. */
export type AtomicWriteFs = Pick<typeof nodeFs, "existsSync" | "statSync" | "writeFileSync" | "renameSync" | "rmSync">;

/** Write `text` to `file` atomically. The folder must exist; on failure the temp file is removed and the target is untouched. */
export function writeFileAtomic(file: string, text: string, options: { fs?: AtomicWriteFs; pid?: number; now?: () => number } = {}): void {
  const fs = options.fs ?? nodeFs;
  const dir = dirname(file);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new UsageError(`cannot write ${file}: the folder ${dir} does not exist`);
  // Same folder as the target: rename is atomic only within one file system.
  const temp = join(dir, `.${basename(file)}.${options.pid ?? process.pid}.${(options.now ?? Date.now)()}.tmp`);
  try {
    fs.writeFileSync(temp, text);
    fs.renameSync(temp, file);
  } catch (e) {
    fs.rmSync(temp, { force: true });
    throw e;
  }
}
