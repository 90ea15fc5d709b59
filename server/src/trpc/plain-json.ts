import superjson from "superjson";
import { isPlainDate, TOO_DEEP, withIsoDates } from "../platform/iso-date.js";

type Serialized = ReturnType<typeof superjson.serialize>;
type Meta = NonNullable<Serialized["meta"]>;

/**
 * `superjson.serialize(value)`, without superjson's walk where the value is plain JSON — strings, booleans,
 * null, finite numbers other than -0, arrays and plain objects of those, no object met twice — or plain
 * JSON with Dates, which is what most procedures return (Prisma gives every timestamp as a Date).
 * superjson's walk cost ~2,800 instructions for a one-field object and ~11,000 for the W4 echo's five
 * fields (callgrind, BENCHMARKS.md), where the check below costs a fraction of that; serializing and
 * writing W2's page of 20 items with 40 Dates took 89–97 µs through superjson and 66 µs here (a
 * micro-benchmark; BENCHMARKS.md, "The README's performance notes"). Its answer is superjson's to the byte:
 * `{ json }` for plain JSON; for Dates, a copy with each one as its ISO string (withIsoDates, the REST
 * writer's copy) and `meta.values` naming their paths in superjson's order. It stops at the first value
 * superjson would annotate otherwise — undefined, NaN, a Map, a class instance, a Date subclass or one out
 * of years 0–9999, an object or Date met twice, a key superjson refuses — or an object with a `toJSON` key,
 * and superjson then does all the work. Hand-written because superjson has no such shortcut.
 *
 * Without Dates `json` is the value itself rather than a copy: what is done with a serialization is
 * writing it as JSON, which gives the same text. An array's own non-index properties, which JSON leaves
 * out, are not looked at (superjson would annotate one holding a Date). With a custom transformer
 * registered (it could claim plain objects or Dates) every value goes to superjson.
 */
export function serializeWithSuperjson(value: unknown): Serialized {
  if (customTransformers === undefined || customTransformers.size !== 0) return superjson.serialize(value as never);
  const found = annotationsOf(value, new Set());
  if (found === undefined) return { json: value as Serialized["json"] };
  if (found === NOT_PLAIN) return superjson.serialize(value as never);
  const json = withIsoDates(value);
  // Nested deeper than any answer: superjson's own result or error.
  if (json === TOO_DEEP) return superjson.serialize(value as never);
  const values = (found === DATE ? ["Date"] : materialize(found, "", {})) as Meta["values"];
  return { json: json as Serialized["json"], meta: { values, v: 1 } };
}

/**
 * The default instance's registry of custom transformers (`superjson.registerCustom`). The static
 * `superjson.*` functions are bound to `SuperJSON.defaultInstance`, which superjson's types call
 * private; if a later superjson moves it, the shortcut is off and superjson serializes everything.
 */
const customTransformers = (
  superjson as unknown as { defaultInstance?: { customTransformerRegistry?: { size: number } } }
).defaultInstance?.customTransformerRegistry;

/** Keys superjson throws on (prototype pollution); superjson gives the error. */
const REFUSED_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/**
 * `ownProperty.call(record, key)` (`Object.prototype.hasOwnProperty`) inside a `for…in` over `record` is
 * a map check once optimized: V8 knows the key came from the object's own enumeration cache.
 * `Object.hasOwn` stays a builtin call per key: ~50 against ~16 ns for a five-key object on Node 20
 * (`node bench/own-keys.mjs`; BENCHMARKS.md). V8 sees the callee is `hasOwnProperty` only when the
 * constant is the module's own: imported from another module it was as slow as `Object.hasOwn`. Hence
 * this one line again in each module with such a loop (parsed-input.ts, platform/iso-date.ts,
 * http/fast/trpc-handler.ts).
 */
const ownProperty = Object.prototype.hasOwnProperty;

/** Something superjson would annotate other than a Date: superjson serializes the whole value. */
const NOT_PLAIN = Symbol("not plain");
/** A Date superjson writes as its ISO string and annotates `["Date"]`. */
const DATE = Symbol("Date");

/**
 * The Dates under one array or object, gathered as superjson's walk gathers its annotations (plainer.js):
 * Dates at keys that look like array indices in `indices`; Dates at other keys and (with a "." after the
 * key) containers holding Dates in `rest`, as (key, found) pairs. Kept apart because superjson writes
 * the indices first, and that order is in the text of `meta.values`.
 */
class Pending {
  readonly indices: string[] = [];
  readonly rest: (string | Pending | typeof DATE)[] = [];
}

type Found = undefined | typeof NOT_PLAIN | typeof DATE | Pending;

function annotationsOf(value: unknown, met: Set<object>): Found {
  switch (typeof value) {
    case "string":
    case "boolean":
      return undefined;
    case "number":
      return Number.isFinite(value) && !Object.is(value, -0) ? undefined : NOT_PLAIN;
    case "object":
      break;
    default:
      return NOT_PLAIN;
  }
  if (value === null) return undefined;
  // superjson annotates an object (a Date too) met twice, so the client gets one object back.
  if (met.has(value)) return NOT_PLAIN;
  met.add(value);
  const prototype = Object.getPrototypeOf(value);
  if (prototype === Date.prototype) return isPlainDate(value as Date) ? DATE : NOT_PLAIN;
  const array = Array.isArray(value);
  if (array ? prototype !== Array.prototype : prototype !== Object.prototype && prototype !== null) return NOT_PLAIN;
  // withIsoDates leaves an object with a `toJSON` key as it is: superjson copies it.
  if (value === Object.prototype || (!array && "toJSON" in value)) return NOT_PLAIN;
  let pending: Pending | undefined;
  if (array) {
    // A hole reads as undefined, which superjson annotates: it is left to superjson.
    for (let index = 0; index < value.length; index++) {
      const found = annotationsOf(value[index], met);
      if (found === undefined) continue;
      if (found === NOT_PLAIN) return NOT_PLAIN;
      pending ??= new Pending();
      if (found === DATE) pending.indices.push(String(index));
      else pending.rest.push(`${index}.`, found);
    }
    return pending;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) {
    if (!ownProperty.call(record, key)) continue;
    if (REFUSED_KEYS.has(key)) return NOT_PLAIN;
    const found = annotationsOf(record[key], met);
    if (found === undefined) continue;
    if (found === NOT_PLAIN) return NOT_PLAIN;
    pending ??= new Pending();
    const escaped = escapeKey(key);
    if (found !== DATE) pending.rest.push(`${escaped}.`, found);
    else if (isArrayIndex(escaped)) pending.indices.push(escaped);
    else pending.rest.push(escaped, DATE);
  }
  return pending;
}

/** `meta.values` from what annotationsOf gathered: every Date's path, as superjson's `materialize`. */
function materialize(pending: Pending, prefix: string, out: Record<string, ["Date"]>): Record<string, ["Date"]> {
  for (const key of pending.indices) out[prefix + key] = ["Date"];
  for (let i = 0; i < pending.rest.length; i += 2) {
    const key = pending.rest[i] as string;
    const found = pending.rest[i + 1];
    if (found instanceof Pending) materialize(found, prefix + key, out);
    else out[prefix + key] = ["Date"];
  }
  return out;
}

/** superjson's path segment for a key (pathstringifier.js): `\` and `.` escaped with `\`. */
function escapeKey(key: string): string {
  return key.includes("\\") || key.includes(".") ? key.replace(/\\/g, "\\\\").replace(/\./g, "\\.") : key;
}

/** superjson's test for a key it writes first (plainer.js `isArrayIndex`): a canonical uint32 below 2³²−1. */
function isArrayIndex(key: string): boolean {
  const length = key.length;
  if (length === 0 || length > 10) return false;
  for (let i = 0; i < length; i++) {
    const code = key.charCodeAt(i);
    if (code < 48 || code > 57) return false;
  }
  if (key.charCodeAt(0) === 48) return length === 1;
  return length < 10 || +key < 4_294_967_295;
}
