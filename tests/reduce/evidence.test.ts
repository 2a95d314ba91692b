import { describe, expect, test } from "bun:test";
import { cleanEvidence, indexEvidence, locateEvidence } from "../../pipeline/reduce/evidence";
import { splitLines } from "../../pipeline/shard/lines";

const file = splitLines(
  [
    "use std::io;", //                                   1
    "",
    "pub fn open(path: &str) -> io::Result<()> {", //     3
    "    let f = std::fs::File::open(path)?;",
    "    Ok(())",
    "}",
    "",
    "pub fn close() {", //                                8
    "    unimplemented!()",
    "}",
    "",
    "pub fn reset() {", //                                12
    "    unimplemented!()",
    "}",
  ].join("\n"),
);
const index = indexEvidence(file);
const whole = { lineStart: 1, lineEnd: 14 };

describe("locateEvidence", () => {
  test("evidence found in the file corrects wrong line numbers", () => {
    const r = locateEvidence({ evidence: "let f = std::fs::File::open(path)?;", line_start: 40, line_end: 40 }, index, whole);
    expect(r).toEqual({ verified: true, lineStart: 4, lineEnd: 4, how: "found", occurrence: 0 });
  });

  test("whitespace differences and copied line-number prefixes do not matter", () => {
    const r = locateEvidence({ evidence: "  3 | pub fn open(path: &str)   -> io::Result<()> {\n  4 |     let f = std::fs::File::open(path)?;", line_start: 3, line_end: 4 }, index, whole);
    expect(r).toMatchObject({ verified: true, lineStart: 3, lineEnd: 4 });
  });

  test("of several occurrences, the one in the shard nearest the reported line wins", () => {
    const secondShard = { lineStart: 11, lineEnd: 14 };
    expect(locateEvidence({ evidence: "unimplemented!()", line_start: 13, line_end: 13 }, index, secondShard).lineStart).toBe(13);
    expect(locateEvidence({ evidence: "unimplemented!()", line_start: 9, line_end: 9 }, index, whole).lineStart).toBe(9);
  });

  test("invented evidence is unverified and keeps the reported lines", () => {
    const r = locateEvidence({ evidence: "let secret = compute_magic();", line_start: 5, line_end: 5 }, index, whole);
    expect(r).toEqual({ verified: false, lineStart: 5, lineEnd: 5, how: "as-reported", occurrence: -1 });
  });

  test("shard-relative line numbers of unfound evidence are mapped into the shard", () => {
    const shard = { lineStart: 8, lineEnd: 14 };
    const r = locateEvidence({ evidence: "paraphrased, not a quote", line_start: 2, line_end: 3 }, index, shard);
    expect(r).toEqual({ verified: false, lineStart: 9, lineEnd: 10, how: "shard-relative", occurrence: -1 });
  });

  test("unfound evidence with lines outside the file: a start below 1 is the file (0-0), a line past the end the shard's bound (issue 20: 0-4817963235)", () => {
    const shard = { lineStart: 8, lineEnd: 14 };
    expect(locateEvidence({ evidence: "not in the file", line_start: 0, line_end: 4817963235 }, index, shard)).toEqual({ verified: false, lineStart: 0, lineEnd: 0, how: "clamped", occurrence: -1 });
    expect(locateEvidence({ evidence: "not in the file", line_start: 0, line_end: 0 }, index, shard)).toEqual({ verified: false, lineStart: 0, lineEnd: 0, how: "as-reported", occurrence: -1 });
    expect(locateEvidence({ evidence: "not in the file", line_start: 900, line_end: 4817963235 }, index, shard)).toMatchObject({ lineStart: 8, lineEnd: 14, how: "clamped" });
    // A start inside the file is kept; only the end past the file moves to the shard's last line.
    expect(locateEvidence({ evidence: "not in the file", line_start: 9, line_end: 900 }, index, shard)).toMatchObject({ lineStart: 9, lineEnd: 14, how: "clamped" });
    // Found evidence settles the lines whatever was reported.
    expect(locateEvidence({ evidence: "let f = std::fs::File::open(path)?;", line_start: 0, line_end: 4817963235 }, index, whole)).toMatchObject({ verified: true, lineStart: 4, lineEnd: 4 });
  });

  test("evidence too short to mean anything is not verified", () => {
    expect(locateEvidence({ evidence: "}", line_start: 6, line_end: 6 }, index, whole).verified).toBe(false);
  });

  test("a short word that is the whole of the named line is a quote (a README that says only WIP)", () => {
    const readme = indexEvidence(["WIP", "", "more to come"]);
    expect(locateEvidence({ evidence: "WIP", line_start: 1, line_end: 1 }, readme, { lineStart: 1, lineEnd: 3 })).toMatchObject({ verified: true, lineStart: 1 });
    // Not on the line it names: no search for a word that short.
    expect(locateEvidence({ evidence: "WIP", line_start: 3, line_end: 3 }, readme, { lineStart: 1, lineEnd: 3 }).verified).toBe(false);
  });
});

test("cleanEvidence strips fences, quotes and prefixes", () => {
  expect(cleanEvidence("```rust\n 9 |     unimplemented!()\n```")).toBe("unimplemented!()");
  expect(cleanEvidence("`todo!()`")).toBe("todo!()");
});
