/**
 * A transport's offer to take over a subscription's live events. Over WebSocket the events are then
 * written straight to the socket, in tRPC's wire format, instead of each going through tRPC's
 * per-event loop — what makes fan-out to thousands of subscribers affordable.
 *
 * The protocol: the subscription yields `token` (the transport learns which subscription it
 * belongs to and sends nothing for it); when the subscription resumes, `take()` returns the
 * function that delivers one event, or null if the transport declined. The subscription keeps
 * running — tRPC still owns its start, stop and errors — but yields nothing more.
 */
export interface HandOff<T> {
  readonly token: HandOffToken;
  take(): ((event: T) => void) | null;
}

/** What a subscription yields to accept the hand-off; never sent to the client as an event. */
export interface HandOffToken {
  readonly handOff: true;
}

export function isHandOffToken(value: unknown): value is HandOffToken {
  return typeof value === "object" && value !== null && (value as Partial<HandOffToken>).handOff === true;
}
