/** The outline of a parsed file: the named items a syntax tree holds and the lines they span (outline.ts reads it). */
import type { Node } from "web-tree-sitter";
import { maySymbolise, symbolOf, unwrap } from "./symbols";
import type { Syntax } from "./syntax";
import { nodeLines } from "./tree";

export interface OutlineItem {
  symbol: string;
  start: number;
  end: number;
}

/** Items outermost first; an item nested in another comes after it. */
export type Outline = OutlineItem[];

/** The outline of a tree: the items `syntax` names, outermost first, at most 20,000 of them. */
export function treeOutline(root: Node, syntax: Syntax): Outline {
  const out: Outline = [];
  // A cursor walk: a Node object only for the nodes that can name an item, not for every node of the file.
  const cursor = root.walk();
  // For each level open below the root: whether it is inside an item, and the symbol its nodes belong to.
  const levels: Level[] = [{ inside: false, parentSymbol: undefined, inFunction: false }];
  try {
    if (!cursor.gotoFirstChild()) return out;
    for (;;) {
      const level = levels[levels.length - 1]!;
      // Named nodes only, as `namedChildren` gives them; an anonymous token holds no item.
      if (cursor.nodeIsNamed) {
        let below = level;
        if (maySymbolise(cursor.nodeType, syntax, level.inside) && !(level.inFunction && syntax.unnested?.has(cursor.nodeType))) {
          const child = cursor.currentNode;
          const item = unwrap(child, syntax);
          const symbol = item.type in syntax.items || !level.inside ? symbolOf(child, syntax, level.inside) : undefined;
          // An export or decorator wrapper and the item it wraps are one symbol.
          if (symbol !== undefined && symbol !== level.parentSymbol) {
            const [start, end] = nodeLines(child);
            out.push({ symbol, start, end });
          }
          // Bindings and statements inside a function are not symbols, but a closure or class inside one can be.
          // A class declared in a function holds its own methods again.
          const inFunction = syntax.unnested?.has(item.type) === true || (!syntax.containers.has(item.type) && level.inFunction);
          below = { inside: level.inside || (symbol !== undefined && item.type in syntax.items), parentSymbol: symbol ?? level.parentSymbol, inFunction };
        }
        if (out.length < 20_000 && cursor.gotoFirstChild()) {
          levels.push(below);
          continue;
        }
      }
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) return out;
        levels.pop();
      }
    }
  } finally {
    cursor.delete();
  }
}

interface Level {
  inside: boolean;
  parentSymbol: string | undefined;
  /** Inside the body of one of `syntax.unnested`'s items. */
  inFunction: boolean;
}

