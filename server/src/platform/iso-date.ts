/**
 * Dates as the ISO strings `JSON.stringify` and superjson would write, without their slow path: V8
 * (Node 20) leaves its fast JSON serializer for each Date to call `toJSON` and then `toISOString`
 * through the generic call path. Used by the REST writer (http/fast/json-text.ts) and the tRPC
 * transformer's shortcut (trpc/plain-json.ts). Hand-written: no package formats a time value faster.
 */

const { toJSON, toISOString } = Date.prototype;

/** Module-local for the `for…in` below: see `ownProperty` in trpc/plain-json.ts. */
const ownProperty = Object.prototype.hasOwnProperty;

const FIRST_MS = -62_167_219_200_000; // 0000-01-01T00:00:00.000Z
const LAST_MS = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z

/**
 * Whether `date.toISOString()` can be had here: the `toJSON` and `toISOString` that JSON.stringify and
 * superjson would call on it are the built-in ones (overridden neither on the Date nor on Date.prototype)
 * and its year is 0–9999. Any other Date (invalid, a 6-digit year, patched methods) is left to the
 * caller's slow path. Two property reads: two `Object.hasOwn` calls took ~2.5× as long (~42 against
 * ~16 ns per Date, a micro-benchmark), and a W2 page has 40 Dates.
 */
export function isPlainDate(date: Date): boolean {
  if (date.toJSON !== toJSON || date.toISOString !== toISOString) return false;
  const ms = date.getTime();
  return ms >= FIRST_MS && ms <= LAST_MS;
}

/** What withIsoDates returns for a value nested deeper than any answer (or holding a cycle). */
export const TOO_DEEP = Symbol("too deep");
const MAX_DEPTH = 200;

/**
 * A copy of `value` in which each Date that JSON.stringify would turn into its ISO string already is
 * one, or TOO_DEEP past 200 levels (the caller's slow path then gives its own result or error).
 * Everything else is left as it was: a Date isPlainDate refuses, an object with its own `toJSON` (or
 * any on a plain object's prototype chain), a class instance (Map, Decimal, …), and what is not an
 * object.
 */
export function withIsoDates(value: unknown): unknown {
  try {
    return copyWithIsoDates(value, 0);
  } catch (error) {
    if (error === TOO_DEEP) return TOO_DEEP;
    throw error;
  }
}

function copyWithIsoDates(value: unknown, depth: number): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (depth > MAX_DEPTH) throw TOO_DEEP;
  if (Array.isArray(value)) {
    const copy = new Array(value.length);
    for (let i = 0; i < value.length; i++) copy[i] = copyWithIsoDates(value[i], depth + 1);
    return copy;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto === Date.prototype) return isPlainDate(value as Date) ? isoString((value as Date).getTime()) : value;
  if ((proto !== Object.prototype && proto !== null) || "toJSON" in value) return value;
  // A spread copies the own enumerable properties in one step, usually onto the object's own layout;
  // adding them to `{}` one by one took a keyed store and a new hidden class per key: the copy of the W4
  // echo's answer took ~3,000 instructions that way, ~1,600 more than now (callgrind). Only fields
  // holding objects are looked at again.
  const copy: Record<string, unknown> = { ...value };
  for (const key in copy) {
    if (!ownProperty.call(copy, key)) continue;
    const field = copy[key];
    if (typeof field !== "object" || field === null) continue;
    const converted = copyWithIsoDates(field, depth + 1);
    if (converted === field) continue;
    // An own "__proto__" key (JSON.parse makes them) is written as a property, not through the setter.
    if (key === "__proto__")
      Object.defineProperty(copy, key, { value: converted, enumerable: true, writable: true, configurable: true });
    else copy[key] = converted;
  }
  return copy;
}

const DAY_MS = 86_400_000;
const ZERO = 48; // "0"
const digit = (n: number) => ZERO + n;

/**
 * The character codes of the last day's `YYYY-MM-DD`: the timestamps of one answer mostly fall on a few
 * days, and working out a civil date is most of the arithmetic.
 */
let cachedDay = Number.NaN;
let year0 = ZERO;
let year1 = ZERO;
let year2 = ZERO;
let year3 = ZERO;
let month0 = ZERO;
let month1 = ZERO;
let day0 = ZERO;
let day1 = ZERO;

/**
 * `new Date(ms).toISOString()` for years 0–9999, as one string made from its 24 character codes: a
 * template literal of the parts built a chain of ~8 intermediate strings per Date, which JSON.stringify
 * then had to flatten (40 Dates of a W2 page, formatted and serialized: 12.5–14 µs that way, 8.3 µs this
 * way, in a micro-benchmark).
 */
function isoString(ms: number): string {
  const days = Math.floor(ms / DAY_MS);
  if (days !== cachedDay) setDay(days);
  let rest = ms - days * DAY_MS;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  const millis = rest - seconds * 1000;
  // biome-ignore format: one line per field of YYYY-MM-DDTHH:MM:SS.mmmZ
  return String.fromCharCode(
    year0, year1, year2, year3, 45 /* - */, month0, month1, 45 /* - */, day0, day1, 84 /* T */,
    digit(Math.floor(hours / 10)), digit(hours % 10), 58 /* : */,
    digit(Math.floor(minutes / 10)), digit(minutes % 10), 58 /* : */,
    digit(Math.floor(seconds / 10)), digit(seconds % 10), 46 /* . */,
    digit(Math.floor(millis / 100)), digit(Math.floor(millis / 10) % 10), digit(millis % 10), 90 /* Z */,
  );
}

/**
 * Remembers the digits of a count of days since 1970-01-01, with integer arithmetic: the civil date by
 * H. Hinnant's `civil_from_days` (chrono-compatible low-level date algorithms).
 */
function setDay(days: number) {
  const z = days + 719_468; // days since 0000-03-01
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  year0 = digit(Math.floor(year / 1000));
  year1 = digit(Math.floor(year / 100) % 10);
  year2 = digit(Math.floor(year / 10) % 10);
  year3 = digit(year % 10);
  month0 = digit(Math.floor(month / 10));
  month1 = digit(month % 10);
  day0 = digit(Math.floor(day / 10));
  day1 = digit(day % 10);
  cachedDay = days;
}
