/** The TraitBook of a command: seeded from what the KB remembers about each server, and every change stored back. */
import type { Kb } from "../../kb/kb";
import { TraitBook } from "../providers/traits";

/** What the KB knows about the servers, kept current as calls learn more. */
export function kbTraitBook(kb: Kb): TraitBook {
  return new TraitBook((learnt) => kb.serverTraits.record(learnt)).seed(kb.serverTraits.all());
}
