/** The per-server circuit breaker: open after repeated faults, exponential hold, one half-open probe. */
import { describe, expect, test } from "bun:test";
import { Breaker } from "../../pipeline/providers/breaker";

function clock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

describe("Breaker", () => {
  test("closed until failuresToOpen faults in a row; a success in between resets the count", () => {
    const c = clock();
    const b = new Breaker({ failuresToOpen: 3, baseHoldMs: 1000, now: c.now });
    b.failed();
    b.failed();
    b.succeeded();
    b.failed();
    b.failed();
    expect(b.state()).toBe("closed");
    expect(b.failed()).toBe(true);
    expect(b.state()).toBe("open");
    expect(b.canTake()).toBe(false);
  });

  test("after the hold: exactly one probe; its failure doubles the hold, its success closes", () => {
    const c = clock();
    const b = new Breaker({ failuresToOpen: 1, baseHoldMs: 1000, maxHoldMs: 3000, now: c.now });
    b.failed();
    c.advance(1000);
    expect(b.state()).toBe("half_open");
    expect(b.canTake()).toBe(true);
    b.started();
    expect(b.canTake()).toBe(false);
    b.failed();
    c.advance(1999);
    expect(b.state()).toBe("open");
    c.advance(1);
    b.started();
    b.failed();
    // Capped at maxHoldMs, not 4000.
    c.advance(2999);
    expect(b.state()).toBe("open");
    c.advance(1);
    b.started();
    b.succeeded();
    expect(b.state()).toBe("closed");
    expect(b.canTake()).toBe(true);
  });

  test("calls that were in flight when it opened do not extend the hold", () => {
    const c = clock();
    const b = new Breaker({ failuresToOpen: 1, baseHoldMs: 1000, now: c.now });
    b.failed();
    c.advance(500);
    expect(b.failed()).toBe(false);
    c.advance(500);
    expect(b.state()).toBe("half_open");
  });

  test("a pause (Retry-After) holds the server without counting as a fault", () => {
    const c = clock();
    const b = new Breaker({ failuresToOpen: 1, now: c.now });
    b.pause(2000);
    expect([b.state(), b.canTake(), b.availableAt()]).toEqual(["closed", false, 1_002_000]);
    c.advance(2000);
    expect([b.canTake(), b.availableAt()]).toEqual([true, 0]);
  });

  test("bad settings are refused with the expected range", () => {
    expect(() => new Breaker({ failuresToOpen: 0 })).toThrow(/Expected `failuresToOpen` to be a number from 1 and up, got 0/);
    expect(() => new Breaker({ baseHoldMs: 5000, maxHoldMs: 10 })).toThrow(/Expected `maxHoldMs` to be a number from 5000 and up/);
  });
});
