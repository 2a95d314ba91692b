/** A script's language from its `#!` line: its own module, so the targets stage reads it without loading the sharder. */

/**
 * The language a script names on its `#!` line (`#!/bin/sh`, `#!/usr/bin/env python3`), for a file with no extension
 * (bin/ tools, test scripts); undefined for any other interpreter or no `#!` line.
 */
export function scriptLanguage(text: string): string | undefined {
  const m = SHEBANG.exec(text);
  return m ? INTERPRETERS[m[1]!] : undefined;
}

/**
 * The extension of the language a script's `#!` line names (`.sh`, `.py`, …): the targets stage matches `include` and
 * `exclude` against the file's path with it, so `bin/deploy` is taken where `bin/deploy.sh` would be.
 */
export function scriptExtension(text: string): string | undefined {
  const language = scriptLanguage(text);
  return language === undefined ? undefined : EXTENSIONS[language];
}

const SHEBANG = /^#![ \t]*(?:\S*\/)?(?:env[ \t]+(?:-\S+[ \t]+)*)?([a-z]+)[\d.]*(?=[ \t\r\n]|$)/;
const INTERPRETERS: Record<string, string> = { sh: "bash", bash: "bash", dash: "bash", ksh: "bash", python: "python", node: "javascript", ruby: "ruby", php: "php" };
const EXTENSIONS: Record<string, string> = { bash: ".sh", python: ".py", javascript: ".js", ruby: ".rb", php: ".php" };
