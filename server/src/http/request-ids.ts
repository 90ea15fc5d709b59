import { randomUUID } from "node:crypto";

/** The zeros before a count of n hex digits, by n: the last group of a UUID has 12 digits. */
const ZEROS = Array.from({ length: 13 }, (_, digits) => "0".repeat(12 - digits));

/**
 * Makes request ids in UUID form: one random v4 UUID per generator, whose last 12 hex digits are replaced
 * by a count of the ids it has made. Every id stays a well-formed v4 UUID (version and variant are in the
 * random part), ids of one process never repeat, and those of two processes share a prefix with odds of
 * one in 2^74. They are not secret and were never meant to be unguessable: a request id names a request in
 * logs and error bodies.
 *
 * Written by hand because `randomUUID()` per request cost 1,500–2,400 of the ~100,000 instructions of a
 * whole `GET /trpc/health.live` or `GET /api/health` (callgrind, BENCHMARKS.md): it formats 16 random bytes
 * as hex, one string concatenation per byte. A count takes one `toString(16)`, and its zeros come from a
 * table: `padStart` cost ~370 instructions more (it builds the padding with `String.prototype.repeat`).
 */
export function createRequestIds(): () => string {
  // "xxxxxxxx-xxxx-4xxx-yxxx-": the UUID up to its last group.
  const prefix = randomUUID().slice(0, 24);
  let count = 0;
  return () => {
    count += 1;
    const digits = count.toString(16);
    return prefix + (ZEROS[digits.length] ?? "") + digits;
  };
}

/**
 * This process's request ids: the HTTP server's, those of answers written before Fastify has a request, and
 * those of contexts built without a request (trpc/context.ts).
 */
export const newRequestId = createRequestIds();
