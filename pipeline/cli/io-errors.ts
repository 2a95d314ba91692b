/**
 * The outside world failing under a command: a full disk, an I/O error, a KB that is locked, read-only or not a
 * database, a path that cannot be read. Each becomes one line naming the file and what to do, with its exit code;
 * anything else is a bug and keeps its stack trace (main.ts).
 */
import type { Home } from "./discover";
import { showLocation } from "../../kb/engine";

export interface IoFailure {
  /** 1: the run could not go on (disk full, I/O error, locked); 2: the user named something unusable. */
  code: 1 | 2;
  message: string;
}

const RESUME = "what was stored before is kept; `scrum run --resume` finishes an interrupted iteration";

/** The message and exit code for an error of the file system or SQLite, or null when `e` is not one (a bug). */
export function explainIoFailure(e: unknown, home: Home | undefined): IoFailure | null {
  if (!(e instanceof Error)) return null;
  const code = (e as { code?: unknown }).code;
  const kb = home?.kb === undefined ? "the knowledge base" : showLocation(home.kb);
  if (e.name === "PostgresError") return explainPostgres(e.message, typeof code === "string" ? code : null, kb);
  if (typeof code !== "string") return null;
  if (e.name === "SQLiteError") {
    if (code === "SQLITE_FULL") return { code: 1, message: `the disk holding the knowledge base ${kb} is full (SQLITE_FULL); free space, then run again: ${RESUME}` };
    if (code.startsWith("SQLITE_IOERR")) return { code: 1, message: `an I/O error on the knowledge base ${kb} (${code}: ${e.message}); check the disk, then run again: ${RESUME}` };
    if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) return { code: 1, message: `the knowledge base ${kb} is locked by another process (${code}); try again when it is done` };
    if (code.startsWith("SQLITE_READONLY")) return { code: 2, message: `the knowledge base ${kb} cannot be written (${code}: ${e.message}); check its permissions, or pass --kb FILE` };
    if (code.startsWith("SQLITE_CANTOPEN")) return { code: 2, message: `the knowledge base ${kb} cannot be opened (${code}): its folder cannot be created or read; pass --kb FILE` };
    if (code === "SQLITE_NOTADB" || code.startsWith("SQLITE_CORRUPT")) return { code: 2, message: `the knowledge base ${kb} is damaged or not a database (${code}: ${e.message}); pass --kb with another file, or restore it from a backup` };
    return null;
  }
  const path = (e as NodeJS.ErrnoException).path ?? kb;
  switch (code) {
    case "ENOSPC":
    case "EDQUOT":
      return { code: 1, message: `the disk is full writing ${path} (${code}); free space, then run again: ${RESUME}` };
    case "EIO":
      return { code: 1, message: `an I/O error on ${path} (EIO); check the disk, then run again: ${RESUME}` };
    case "EMFILE":
    case "ENFILE":
      return { code: 1, message: `too many open files reading ${path} (${code}); raise the limit (ulimit -n) and run again` };
    case "EACCES":
    case "EPERM":
    case "EROFS":
      return { code: 2, message: `${path} cannot be read or written (${code}); check its permissions, or choose another file` };
    case "ENOENT":
    case "ENOTDIR":
    case "EISDIR":
    case "ENAMETOOLONG":
    case "ELOOP":
      return { code: 2, message: `${path}: ${e.message.replace(/^[A-Z]+: /, "")}; check the path` };
    default:
      return null;
  }
}

/**
 * A PostgreSQL KB failing under a command: the server gone or unreachable, out of space, refusing the user. `code` is
 * PostgreSQL's SQLSTATE, or the driver's name for a connection failure; null when the server never answered.
 */
function explainPostgres(message: string, code: string | null, kb: string): IoFailure | null {
  const said = `${message}${code ? ` (${code})` : ""}`;
  if (code === null || /^(08|57P)/.test(code) || /^(E[A-Z]+|CONNECT(ION)?_[A-Z_]+)$/.test(code)) {
    return { code: 1, message: `the knowledge base ${kb} stopped answering: ${said}; reach or restart the PostgreSQL server, then run again: ${RESUME}` };
  }
  if (code.startsWith("53")) return { code: 1, message: `the PostgreSQL server of ${kb} is out of resources: ${said}; free space or raise its limits, then run again: ${RESUME}` };
  if (code === "40001" || code === "40P01" || code === "55P03") return { code: 1, message: `the knowledge base ${kb} was busy: ${said}; run again` };
  if (code === "42501") return { code: 2, message: `the knowledge base ${kb} refuses this user: ${said}; grant it the right to read and write the KB's tables (and to create them, the first time)` };
  if (code.startsWith("28") || code === "3D000" || code === "3F000") return { code: 2, message: `cannot use the knowledge base ${kb}: ${said}; fix the URL in --kb / $SCRUM_KB` };
  return null;
}
