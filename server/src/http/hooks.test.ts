import { describe, expect, it } from "vitest";
import { twoDecimals } from "./hooks.js";

describe("twoDecimals (the server-timing duration)", () => {
  it("writes milliseconds with two decimals, as toFixed(2) does", () => {
    expect(twoDecimals(0)).toBe("0.00");
    expect(twoDecimals(0.5)).toBe("0.50");
    expect(twoDecimals(0.07)).toBe("0.07");
    expect(twoDecimals(12.3)).toBe("12.30");
    expect(twoDecimals(1234.567)).toBe("1234.57");
    expect(twoDecimals(99.999)).toBe("100.00");
    // Durations as performance.now() differences come out: no tie at a half hundredth in practice.
    for (let i = 0; i < 10_000; i++) {
      const ms = Math.random() * 10 ** (i % 6);
      expect(twoDecimals(ms), String(ms)).toBe(ms.toFixed(2));
    }
  });

  it("reads 0.00 for what is not a duration", () => {
    for (const bad of [Number.NaN, -1, Number.POSITIVE_INFINITY]) expect(twoDecimals(bad)).toBe("0.00");
  });
});
