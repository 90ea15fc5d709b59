/**
 * Dates as the ISO strings `JSON.stringify` and superjson would write, without their slow path: V8
 * (Node 20) leaves its fast JSON serializer for each Date to call `toJSON` and then `toISOString`
 * through the generic call path. Used by the REST writer (http/fast/json-text.ts) and the tRPC
 * transformer's shortcut (trpc/plain-json.ts). Hand-written: no package formats a time value faster.
 */

const { toJSON, toISOString } = Date.prototype;

const FIRST_MS = -62_167_219_200_000; // 0000-01-01T00:00:00.000Z
const LAST_MS = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z

/**
 * Whether `date.toISOString()` can be had here: its `toJSON` and `toISOString` are the built-in ones
 * (on Date.prototype, not overridden on the Date) and its year is 0–9999. Any other Date (invalid, a
 * 6-digit year, patched methods) is left to the caller's slow path.
 */
export function isPlainDate(date: Date): boolean {
  if (Date.prototype.toJSON !== toJSON || Date.prototype.toISOString !== toISOString) return false;
  if (Object.hasOwn(date, "toJSON") || Object.hasOwn(date, "toISOString")) return false;
  const ms = date.getTime();
  return ms >= FIRST_MS && ms <= LAST_MS;
}

/** `date.toISOString()` for a Date that isPlainDate accepts; undefined for any other. */
export function isoOfPlainDate(date: Date): string | undefined {
  return isPlainDate(date) ? isoString(date.getTime()) : undefined;
}

/** What withIsoDates throws for a value nested deeper than any answer (or a cycle). */
export const TOO_DEEP = Symbol("too deep");
const MAX_DEPTH = 200;

/**
 * A copy of `value` in which each Date that JSON.stringify would turn into its ISO string already is
 * one. Everything else is left as it was: a Date isPlainDate refuses, an object with its own `toJSON`
 * (or any on a plain object's prototype chain), a class instance (Map, Decimal, …), and what is not
 * an object. Throws TOO_DEEP past 200 levels.
 */
export function withIsoDates(value: unknown, depth = 0): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (depth > MAX_DEPTH) throw TOO_DEEP;
  if (Array.isArray(value)) {
    const copy = new Array(value.length);
    for (let i = 0; i < value.length; i++) copy[i] = withIsoDates(value[i], depth + 1);
    return copy;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto === Date.prototype) return isoOfPlainDate(value as Date) ?? value;
  if ((proto !== Object.prototype && proto !== null) || "toJSON" in value) return value;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) copy[key] = withIsoDates((value as Record<string, unknown>)[key], depth + 1);
  return copy;
}

const DAY_MS = 86_400_000;
/** "00".."99" and "000".."999": a table look-up instead of padding each field. */
const TWO_DIGITS = Array.from({ length: 100 }, (_, n) => String(n).padStart(2, "0"));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, n) => String(n).padStart(3, "0"));

/** The last day formatted: the timestamps of one answer mostly fall on a few days. */
let cachedDay = Number.NaN;
let cachedDayPrefix = "";

/** `new Date(ms).toISOString()` for years 0–9999: the day's `YYYY-MM-DDT`, then the time of day. */
function isoString(ms: number): string {
  const days = Math.floor(ms / DAY_MS);
  if (days !== cachedDay) {
    cachedDayPrefix = dayPrefix(days);
    cachedDay = days;
  }
  let rest = ms - days * DAY_MS;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  const millis = rest - seconds * 1000;
  return `${cachedDayPrefix}${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[seconds]}.${THREE_DIGITS[millis]}Z`;
}

/**
 * `YYYY-MM-DDT` of a count of days since 1970-01-01, with integer arithmetic: the civil date by
 * H. Hinnant's `civil_from_days` (chrono-compatible low-level date algorithms).
 */
function dayPrefix(days: number): string {
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
  return `${String(year).padStart(4, "0")}-${TWO_DIGITS[month]}-${TWO_DIGITS[day]}T`;
}
