import superjson from "superjson";
import { afterEach, describe, expect, it, vi } from "vitest";
import { serializeWithSuperjson } from "./plain-json.js";

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

const shared = { id: 1 };
const circular: Record<string, unknown> = { name: "loop" };
circular.self = circular;
// A hole (new Array leaves its slots empty), not an undefined element.
const sparse: number[] = new Array(3);
sparse[0] = 1;
sparse[2] = 3;
const nullPrototype = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1, b: [true, null] });
const at = (ms: number) => new Date(Date.UTC(2026, 11, 6, 9, 30) + ms);
/** A page as items.list returns it: two timestamps per item. */
const page = {
  items: Array.from({ length: 20 }, (_, i) => ({
    id: i + 1,
    title: `Item ${i + 1}`,
    description: i % 3 ? null : "d",
    price: i / 100,
    createdAt: at(-i * 1000),
    updatedAt: at(i),
  })),
  total: 10_000,
  skip: 0,
  limit: 20,
};
const oneDate = at(0);
class Stamp extends Date {}
const ownIsoString = Object.assign(at(5), { toISOString: () => "patched" });
/** Deeper than the ISO copy goes (200 levels): superjson serializes it. */
let deepDate: unknown = at(8);
for (let level = 0; level < 300; level++) deepDate = { next: deepDate };

/** Values a procedure can return: plain JSON, and every kind superjson annotates or refuses. */
const CORPUS: [string, unknown][] = [
  ["a string", "ok"],
  ["a number", 12.5],
  ["zero", 0],
  ["minus zero", -0],
  ["NaN", Number.NaN],
  ["Infinity", Number.POSITIVE_INFINITY],
  ["true", true],
  ["null", null],
  ["undefined", undefined],
  ["a bigint", 10n],
  ["a plain object", { status: "ok" }],
  ["the W4 echo", { title: "A widget", description: null, price: 12.5, tags: ["a", "b"], published: true }],
  [
    "nested arrays and objects",
    {
      rows: [
        { id: 1, tags: [] },
        { id: 2, tags: ["x"] },
      ],
      total: 2,
    },
  ],
  ["an empty object and array", { a: {}, b: [] }],
  ["an object without a prototype", nullPrototype],
  ["a Date inside", { createdAt: new Date(0), title: "t" }],
  ["a Date", at(1)],
  ["a page of items with Dates", page],
  ["Dates in an array", [at(1), at(2), "x", at(3)]],
  // superjson writes Dates at index-like keys before nested ones: "x.1" comes before "x.0.d".
  [
    "Dates at an index after a nested one",
    { x: [{ d: at(1) }, at(2)], y: { "1": at(3), b: { c: at(4) }, "0": at(5) } },
  ],
  ["keys with dots, backslashes, none", { "a.b": at(1), "a\\b": at(2), "": at(3), "x.y": { "z.": at(4) } }],
  [
    "number-like keys",
    {
      b: at(1),
      "1": at(2),
      "01": at(3),
      "4294967294": at(4),
      "4294967295": at(5),
      "12345678901": at(6),
      n: { "7": at(7) },
    },
  ],
  ["one Date twice", { a: oneDate, b: [oneDate] }],
  ["a Date subclass", { s: new Stamp(0) }],
  ["a Date past year 9999", { far: new Date(253_402_300_800_000) }],
  ["a Date before year 0", { early: new Date(-62_167_219_200_001) }],
  ["an invalid Date", { bad: new Date(Number.NaN) }],
  ["a Date with its own toISOString", { own: ownIsoString }],
  ["a Date next to undefined", { at: at(1), gone: undefined }],
  ["a toJSON key beside a Date", { toJSON: 1, at: at(1) }],
  ["a Date 300 levels deep", deepDate],
  ["undefined inside an object", { a: 1, b: undefined }],
  ["undefined inside an array", [1, undefined]],
  ["a hole in an array", sparse],
  ["NaN inside", { score: Number.NaN }],
  ["minus zero inside", [0, -0]],
  ["a Map", { m: new Map([["k", 1]]) }],
  ["a Set", new Set([1])],
  ["a class instance", { p: new Point(1, 2) }],
  ["a RegExp", /x/g],
  ["a repeated object", { a: shared, b: shared }],
  [
    "a repeated array",
    (() => {
      const list = [1];
      return [list, list];
    })(),
  ],
  ["a circular object", circular],
  ["a function inside", { f: () => 1, a: 1 }],
];

describe("serializeWithSuperjson", () => {
  it.each(CORPUS)("serializes %s as superjson does", (_name, value) => {
    const ours = serializeWithSuperjson(value);
    const theirs = superjson.serialize(value as never);
    expect(ours).toEqual(theirs);
    expect(JSON.stringify(ours)).toBe(JSON.stringify(theirs));
    expect(superjson.deserialize(ours)).toEqual(superjson.deserialize(theirs));
  });

  it("serializes 2,000 random nestings of objects, arrays and Dates as superjson does", () => {
    let seed = 11;
    const random = (n: number) => {
      seed = (seed * 48_271) % 2_147_483_647;
      return seed % n;
    };
    const keys = ["0", "1", "7", "10", "01", "a", "b.c", "d\\", ""];
    const build = (depth: number): unknown => {
      const pick = random(depth > 3 ? 3 : 6);
      if (pick === 0) return at(random(1_000_000));
      if (pick === 1) return random(2) ? `s${random(9)}` : random(100);
      if (pick === 2) return null;
      if (pick === 3) return Array.from({ length: random(4) }, () => build(depth + 1));
      return Object.fromEntries(Array.from({ length: random(5) }, () => [keys[random(keys.length)], build(depth + 1)]));
    };
    for (let i = 0; i < 2_000; i++) {
      const value = build(0);
      expect(JSON.stringify(serializeWithSuperjson(value))).toBe(JSON.stringify(superjson.serialize(value as never)));
    }
  });

  it("throws superjson's error for a key superjson refuses", () => {
    const polluting = JSON.parse('{"__proto__": {"admin": true}}');
    expect(() => superjson.serialize(polluting)).toThrow(/prototype pollution/);
    expect(() => serializeWithSuperjson(polluting)).toThrow(/prototype pollution/);
    expect(() => serializeWithSuperjson({ nested: { constructor: 1 } })).toThrow(/prototype pollution/);
  });
});

describe("serializeWithSuperjson's shortcut", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("serializes plain JSON and plain JSON with Dates without superjson", () => {
    const serialize = vi.spyOn(superjson, "serialize");
    for (const value of [page, { status: "ok" }, at(1), [at(1), { b: at(2) }]]) serializeWithSuperjson(value);
    expect(serialize).not.toHaveBeenCalled();
    serializeWithSuperjson({ m: new Map() });
    expect(serialize).toHaveBeenCalledTimes(1);
  });

  it("is on: superjson's registry of custom transformers is where it looks for it, and empty", () => {
    const registry = (superjson as unknown as { defaultInstance?: { customTransformerRegistry?: { size: number } } })
      .defaultInstance?.customTransformerRegistry;
    expect(registry?.size).toBe(0);
    // The shortcut hands back the value itself where superjson would have copied it.
    const value = { status: "ok" };
    expect(serializeWithSuperjson(value).json).toBe(value);
    expect(superjson.serialize(value).json).not.toBe(value);
  });
});
