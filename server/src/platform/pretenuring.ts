import { setFlagsFromString } from "node:v8";

/**
 * Stops V8 from pretenuring: allocating straight into the old generation the objects of an
 * allocation site whose objects it once saw survive a young collection. A server's objects live
 * for one request; V8 decides otherwise when a young collection happens to catch many requests in
 * flight, and then each request's IncomingMessage (or whatever that site builds) is born old. A
 * young collection cannot know that such an object has died, so everything it points to (headers,
 * the response, closures: the whole request) survives and is promoted, to be freed only by a full
 * collection. Measured here (BENCHMARKS.md, "Pretenuring"): in 3 of 4 fresh server processes a
 * request promoted ~3.5 KB, and 30,000 requests cost ~280 ms of garbage-collection pauses on the
 * main thread (10–12 full collections) against ~20–35 ms and none without pretenuring. Which
 * processes fall into it changes with any change of code, which is why it looked like noise.
 *
 * Like the heap-growth cap, set at start-up: V8 reads the flag at every collection.
 */
export function stopPretenuring(): void {
  setFlagsFromString("--no-allocation-site-pretenuring");
}
