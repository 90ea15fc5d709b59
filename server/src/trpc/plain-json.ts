import superjson from "superjson";

type Serialized = ReturnType<typeof superjson.serialize>;

/**
 * `superjson.serialize(value)`, without superjson's walk where the value is plain JSON already:
 * strings, booleans, null, finite numbers other than -0, and arrays and plain objects of those with
 * no object met twice. superjson's answer for such a value is `{ json: <a copy of it> }` with no
 * `meta`, after a walk that cost ~2,800 instructions for a one-field object and ~11,000 for the W4
 * echo's five fields (callgrind, BENCHMARKS.md); the check below costs a fraction of that. It stops at
 * the first value superjson would annotate — a Date, undefined, NaN, a Map, a class instance, a
 * repeated object, a key superjson refuses — and superjson then does all the work. Hand-written
 * because superjson has no such shortcut.
 *
 * `json` is the value itself rather than a copy: what is done with a serialization is writing it as
 * JSON, which gives the same text. An array's own non-index properties, which JSON leaves out, are not
 * looked at (superjson would annotate one holding a Date). With a custom transformer registered
 * (it could claim plain objects) every value goes to superjson.
 */
export function serializeWithSuperjson(value: unknown): Serialized {
  if (customTransformers !== undefined && customTransformers.size === 0 && isPlainJson(value, undefined)) {
    return { json: value as Serialized["json"] };
  }
  return superjson.serialize(value as never);
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

function isPlainJson(value: unknown, seen: Set<object> | undefined): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(value) && !Object.is(value, -0);
    case "object":
      break;
    default:
      return false;
  }
  if (value === null) return true;
  const prototype = Object.getPrototypeOf(value);
  const array = Array.isArray(value);
  if (array ? prototype !== Array.prototype : prototype !== Object.prototype && prototype !== null) return false;
  if (value === Object.prototype) return false;
  // superjson annotates an object met twice (referential equality), so the client gets one object back.
  const met = seen ?? new Set<object>();
  if (met.has(value)) return false;
  met.add(value);
  if (array) {
    // A hole reads as undefined, which superjson annotates as well: it is left to superjson.
    for (let index = 0; index < value.length; index++) if (!isPlainJson(value[index], met)) return false;
    return true;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) {
    if (!Object.hasOwn(record, key)) continue;
    if (REFUSED_KEYS.has(key) || !isPlainJson(record[key], met)) return false;
  }
  return true;
}
