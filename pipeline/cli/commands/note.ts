/** `scrum note add PATH TEXT` / `scrum note list` / `scrum note resolve ID`: fix-next-loop observations. */
import { UsageError } from "../../errors";
import { renderTable } from "../table";
import { kbPathOf, openKb, sources, type CommandContext } from "../context";

export function noteCommand(ctx: CommandContext, args: string[]): number {
  const [sub, ...rest] = args;
  const kb = openKb(ctx, { mustExist: false });
  try {
    if (sub === "add") {
      const [path, ...words] = rest;
      const text = words.join(" ").trim();
      if (!path || !text) throw new UsageError("usage: scrum note add PATH TEXT");
      const latest = kb.iterations().at(-1);
      const id = kb.addNote(kbPathOf(ctx, path), text, latest?.id ?? null);
      if (ctx.json) ctx.io.out(JSON.stringify({ id, path, text, status: "open", ...sources(ctx) }));
      else ctx.io.out(`note ${id} on ${path}: open; the next iteration that reviews it puts it in the prompt`);
      return 0;
    }
    if (sub === "list") {
      const notes = kb.notes();
      if (ctx.json) ctx.io.out(JSON.stringify(notes, null, 2));
      else if (notes.length === 0) ctx.io.out("no notes");
      else ctx.io.out(renderTable(["id", "status", "path", "created in", "picked up in", "text"], notes.map((n) => [n.id, n.status, n.path, n.created_in, n.picked_up_in, n.text])));
      return 0;
    }
    if (sub === "resolve") {
      const id = Number(rest[0]);
      if (!Number.isInteger(id)) throw new UsageError("usage: scrum note resolve ID");
      kb.resolveNote(id);
      if (ctx.json) ctx.io.out(JSON.stringify({ id, status: "resolved", ...sources(ctx) }));
      else ctx.io.out(`note ${id}: resolved`);
      return 0;
    }
    throw new UsageError("usage: scrum note add PATH TEXT | scrum note list | scrum note resolve ID");
  } finally {
    kb.close();
  }
}
