import { describe, expect, it } from "vitest";
import { stringifyJson } from "./json-text.js";

/** Requires the same text as JSON.stringify, or the same error. */
function expectSameAsJson(value: unknown) {
  let expected: string | Error;
  try {
    expected = JSON.stringify(value);
  } catch (error) {
    expected = error as Error;
  }
  if (expected instanceof Error) expect(() => stringifyJson(value)).toThrow(expected.constructor as new () => Error);
  else expect(stringifyJson(value)).toBe(expected);
}

describe("stringifyJson", () => {
  it("writes a page of items exactly as JSON.stringify does", () => {
    const items = Array.from({ length: 20 }, (_, i) => ({
      id: i + 1,
      title: `Item ${i + 1}`,
      description: i % 3 ? null : 'Ünïcode \u2028 and "quotes"',
      price: i % 4 ? i / 100 : null,
      createdAt: new Date(Date.UTC(2026, 11, 5, 13, 3, 37, 960) - i * 1000),
      updatedAt: new Date(Date.UTC(2026, 11, 5) + i),
    }));
    expectSameAsJson({ items, total: 10_000, skip: 0, limit: 20 });
  });

  it("formats every Date as toISOString does, from year 0 to 9999 and beyond", () => {
    const edges = [
      -62_167_219_200_000, // 0000-01-01T00:00:00.000Z
      -62_167_219_200_001, // -000001-12-31T23:59:59.999Z
      253_402_300_799_999, // 9999-12-31T23:59:59.999Z
      253_402_300_800_000, // +010000-01-01T00:00:00.000Z
      0,
      -1,
      951_782_400_000, // 2000-02-29
      4_107_542_400_000, // 2100-03-01
      -2_203_891_200_000, // 1900-03-01
      8.64e15,
      -8.64e15,
    ];
    let seed = 7;
    const random = () => {
      seed = (seed * 48_271) % 2_147_483_647;
      return seed / 2_147_483_647;
    };
    const randomTimes = Array.from({ length: 20_000 }, () => Math.floor((random() * 2.2 - 0.7) * 253_402_300_800_000));
    for (const ms of [...edges, ...randomTimes]) expectSameAsJson({ at: new Date(ms), list: [new Date(ms)] });
    expectSameAsJson([new Date(Number.NaN), new Date("not a date")]);
  });

  it("leaves to JSON.stringify what it does not copy: toJSON, class instances, Date subclasses, odd values", () => {
    class Money {
      constructor(readonly cents: number) {}
      toJSON() {
        return { cents: this.cents };
      }
    }
    class Stamp extends Date {
      override toISOString() {
        return "stamp";
      }
    }
    const ownToJson = Object.assign(new Date(0), { toJSON: () => "own" });
    const nullProto = Object.assign(Object.create(null), { a: new Date(0) });
    const sparse: unknown[] = new Array(3); // JSON writes a hole as null
    sparse[0] = 1;
    sparse[2] = 3;
    const withSymbol = { [Symbol("s")]: 1, visible: true };
    const withGetter = {
      get computed() {
        return new Date(5);
      },
    };
    expectSameAsJson({
      money: new Money(150),
      plainToJson: {
        at: new Date(1),
        toJSON(key: string) {
          return `${key}: ${this.at instanceof Date ? "a Date" : typeof this.at}`;
        },
      },
      stamp: new Stamp(0),
      ownToJson,
      nullProto,
      map: new Map([[1, 2]]),
      sparse,
      undefinedValue: undefined,
      fn: () => 1,
      withSymbol,
      withGetter,
      nested: [[[{ deep: [new Date(2)] }]]],
      numbers: [Number.NaN, Number.POSITIVE_INFINITY, -0, 1e21],
    });
    for (const top of [undefined, null, 1, "s", true, new Date(3), [], {}]) expectSameAsJson(top);
  });

  it("keeps an own __proto__ key, as JSON.stringify does, and formats the Dates under it", () => {
    const parsed = JSON.parse('{"__proto__":{"x":1},"b":2}');
    const holdingDate = Object.defineProperty({ b: 2 }, "__proto__", {
      value: { at: new Date(0) },
      enumerable: true,
      writable: true,
      configurable: true,
    });
    expectSameAsJson(parsed);
    expectSameAsJson(holdingDate);
    expect(stringifyJson(holdingDate)).toBe('{"b":2,"__proto__":{"at":"1970-01-01T00:00:00.000Z"}}');
  });

  it("leaves Dates to JSON.stringify while Date.prototype's methods are patched", () => {
    const builtIn = Date.prototype.toISOString;
    Date.prototype.toISOString = function patched(this: Date) {
      return `patched ${builtIn.call(this)}`;
    };
    try {
      expectSameAsJson({ at: new Date(0), list: [new Date(1)] });
      expect(stringifyJson({ at: new Date(0) })).toBe('{"at":"patched 1970-01-01T00:00:00.000Z"}');
    } finally {
      Date.prototype.toISOString = builtIn;
    }
  });

  it("throws as JSON.stringify does on a cycle or a BigInt, and writes very deep values", () => {
    const cyclic: Record<string, unknown> = { at: new Date(0) };
    cyclic.self = cyclic;
    expectSameAsJson(cyclic);
    expectSameAsJson({ big: 1n });
    let deep: unknown = new Date(0);
    for (let i = 0; i < 1000; i++) deep = { next: deep };
    expectSameAsJson(deep);
  });
});
