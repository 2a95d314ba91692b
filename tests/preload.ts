/**
 * Preloaded by `bun test` (bunfig.toml): the clean-up of tests/at-end.ts, once, after every test file has run; and a
 * default timeout of 30 s instead of bun's 5 s. Many tests start processes or servers: the one that starts a
 * PostgreSQL server of its own took 2.6–4.7 s under `.ci/run`'s load on a shared 2-core machine, close enough to 5 s
 * to fail now and then while it passes. 30 s still ends a hang; tests that need longer say so themselves.
 */
import { afterAll, setDefaultTimeout } from "bun:test";
import { runAtEnd } from "./at-end";

setDefaultTimeout(30_000);
afterAll(runAtEnd);
