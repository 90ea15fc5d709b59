import { setFlagsFromString } from "node:v8";

/**
 * Caps how far V8 lets the old generation grow past what survived the last full collection: the
 * next full collection starts at (1 + percent / 100) × the live heap. Left to itself V8 picks a
 * factor between 1.1 and 4 from how fast it collects, and with a small live heap and fast
 * collections it picks the top: under W2's 50 concurrent requests the heap in use reached ~130 MB
 * over ~37 MB live before V8 collected it. Unlike `--max-old-space-size` this is no ceiling: a
 * server whose live heap grows (many WebSocket clients) still gets the room it needs, only
 * proportionally. 0 leaves V8's own choice.
 *
 * V8 reads the flag each time it sets the next limit, so setting it at start-up (rather than on
 * the command line) applies it however the server is launched.
 */
export function limitHeapGrowth(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
