/**
 * A Date's ISO string the way `JSON.stringify` and superjson would write it, without their slow path:
 * V8 (Node 20) leaves its fast JSON serializer for each Date to call `toJSON` and then `toISOString`
 * through the generic call path. Used by the REST writer (http/fast/json-text.ts) and the tRPC
 * transformer's shortcut (trpc/plain-json.ts). Hand-written: no package formats a time value faster.
 */

const { toJSON, toISOString } = Date.prototype;

const FIRST_MS = -62_167_219_200_000; // 0000-01-01T00:00:00.000Z
const LAST_MS = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z

/**
 * `date.toISOString()` for a Date whose `toJSON` and `toISOString` are the built-in ones (on
 * Date.prototype, not overridden on the Date) and whose year is 0–9999; undefined for any other
 * Date (invalid, a 6-digit year, patched methods), which is left to the caller's slow path.
 */
export function isoOfPlainDate(date: Date): string | undefined {
  if (Date.prototype.toJSON !== toJSON || Date.prototype.toISOString !== toISOString) return undefined;
  if (Object.hasOwn(date, "toJSON") || Object.hasOwn(date, "toISOString")) return undefined;
  const ms = date.getTime();
  if (!(ms >= FIRST_MS && ms <= LAST_MS)) return undefined;
  return isoString(ms);
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
