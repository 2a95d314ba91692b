/** `scrum note add PATH TEXT` / `scrum note list` / `scrum note resolve ID`: fix-next-loop observations. */
import { UsageError } from "../../../domain/errors";
import { renderTable } from "../table";
import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { homeOf, kbPathOf, openKb, sources, type CommandContext } from "../context";

export function noteCommand(ctx: CommandContext, args: string[]): number {
  const [sub, ...rest] = args;
  // Usage is checked before the KB is opened: a refused command creates no KB file.
  if (sub === "resolve" && !Number.isInteger(Number(rest[0] ?? ""))) throw new UsageError("usage: scrum note resolve ID");
  if (sub !== "add" && sub !== "list" && sub !== "resolve") throw new UsageError("usage: scrum note add PATH TEXT | scrum note list | scrum note resolve ID");
  const kb = openKb(ctx, { mustExist: false });
  try {
    if (sub === "add") {
      const [path, ...words] = rest;
      const text = words.join(" ").trim();
      if (!path || !text) throw new UsageError("usage: scrum note add PATH TEXT");
      const latest = kb.iterations.all().at(-1);
      const key = kbPathOf(ctx, path);
      // A note is put into one file's prompt: a folder has no prompt to carry it.
      const abs = resolve(homeOf(ctx).root, key);
      if (key === "." || (existsSync(abs) && statSync(abs).isDirectory())) {
        throw new UsageError(`"${path}" is a directory; a note is about one file (give a file under it, e.g. \`scrum note add ${path.replace(/\/$/, "")}/FILE TEXT\`)`);
      }
      const known = kb.reviews.knownPaths();
      // A note on a path no file will ever have would wait forever: refuse it, saying what the KB knows.
      if (!known.includes(key) && !existsSync(resolve(homeOf(ctx).root, key))) {
        const near = known.filter((k) => k.endsWith(key.split("/").at(-1) ?? key)).slice(0, 5);
        const hint = near.length > 0 ? `did you mean: ${near.join(", ")}?` : known.length > 0 ? `it knows ${known.length} files, e.g. ${known.slice(0, 5).join(", ")}` : "it knows no file yet";
        throw new UsageError(`"${path}" (${key}) is no file the KB has reviewed and does not exist under ${homeOf(ctx).root}; ${hint}`);
      }
      const id = kb.notes.add(key, text, latest?.id ?? null);
      if (ctx.json) ctx.io.out(JSON.stringify({ id, path: key, text, status: "open", ...sources(ctx) }));
      else ctx.io.out(`note ${id} on ${key}: open; the next iteration that sends it to a model puts it in the prompt`);
      return 0;
    }
    if (sub === "list") {
      const notes = kb.notes.all();
      if (ctx.json) ctx.io.out(JSON.stringify(notes, null, 2));
      else if (notes.length === 0) ctx.io.out("no notes");
      else ctx.io.out(renderTable(["id", "status", "path", "created in", "picked up in", "text"], notes.map((n) => [n.id, n.status, n.path, n.created_in, n.picked_up_in, n.text])));
      return 0;
    }
    if (sub === "resolve") {
      const id = Number(rest[0]);
      if (!Number.isInteger(id)) throw new UsageError("usage: scrum note resolve ID");
      kb.notes.resolve(id);
      if (ctx.json) ctx.io.out(JSON.stringify({ id, status: "resolved", ...sources(ctx) }));
      else ctx.io.out(`note ${id}: resolved`);
      return 0;
    }
    throw new UsageError("usage: scrum note add PATH TEXT | scrum note list | scrum note resolve ID");
  } finally {
    kb.close();
  }
}
