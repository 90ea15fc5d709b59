import { describe, expect, it } from "vitest";
import { dateFromText } from "./timestamp-text.js";

let seed = 11;
/** A repeatable pseudo-random number in [0, 1). */
const random = () => {
  seed = (seed * 48_271) % 2_147_483_647;
  return seed / 2_147_483_647;
};
const pick = (max: number) => Math.floor(random() * max);
const pad = (n: number, width: number) => String(n).padStart(width, "0");

/** The same time value as `new Date(text)`, or an invalid Date where it gives one. */
function expectSameDate(text: string) {
  expect(dateFromText(text).getTime(), text).toBe(new Date(text).getTime());
}

describe("dateFromText", () => {
  it("reads the adapter's timestamps as new Date does, years 0000–9999, 0–9 fraction digits", () => {
    for (let i = 0; i < 50_000; i++) {
      const fraction = pick(10);
      const digits = Array.from({ length: fraction }, () => pick(10)).join("");
      const text = `${pad(pick(10_000), 4)}-${pad(1 + pick(12), 2)}-${pad(1 + pick(31), 2)}T${pad(pick(24), 2)}:${pad(
        pick(60),
        2,
      )}:${pad(pick(60), 2)}${fraction ? `.${digits}` : ""}+00:00`;
      expectSameDate(text);
    }
  });

  it("agrees on the edges and leaves every other text to new Date", () => {
    for (const text of [
      "0000-01-01T00:00:00+00:00",
      "9999-12-31T23:59:59.999999+00:00",
      "1970-01-01T00:00:00.000+00:00",
      "1969-12-31T23:59:59.999+00:00",
      "2000-02-29T12:00:00.5+00:00",
      "1900-02-29T12:00:00+00:00", // not a leap year
      "2100-02-29T12:00:00+00:00",
      "2026-04-31T00:00:00+00:00",
      "2026-12-07T24:00:00+00:00",
      "2026-12-07T23:60:00+00:00",
      "2026-12-07T23:59:60+00:00",
      "2026-00-07T00:00:00+00:00",
      "2026-13-07T00:00:00+00:00",
      "2026-12-00T00:00:00+00:00",
      "2026-12-07T01:02:03.4x5+00:00",
      "2026-12-07T01:02:03.+00:00",
      "2026-12-07T01:02:03.1234567890+00:00",
      "2026-12-07T01:02:03+01:00",
      "2026-12-07T01:02:03-00:00",
      "2026-12-07 01:02:03+00:00",
      "2026-12-07T01:02:03Z",
      "+02026-12-07T01:02:03+00:00",
      "10000-01-01T00:00:00+00:00",
      "0001-01-01T00:00:00 BC+00:00",
      "infinity",
      "-infinity",
      "",
      "2026-1a-07T01:02:03+00:00",
      "２026-12-07T01:02:03+00:00",
    ]) {
      expectSameDate(text);
    }
  });
});
