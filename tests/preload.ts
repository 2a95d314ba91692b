/** Preloaded by `bun test` (bunfig.toml): the clean-up of tests/at-end.ts, once, after every test file has run. */
import { afterAll } from "bun:test";
import { runAtEnd } from "./at-end";

afterAll(runAtEnd);
