/** A message on a topic, as every subscriber on every instance receives it. */
export type BusMessage = unknown;

/**
 * Publish/subscribe between the parts of the app, and — with the Redis driver — between
 * server instances. Payloads must be JSON-serialisable (superjson on the Redis driver).
 */
export interface EventBus {
  publish(topic: string, message: BusMessage): Promise<void>;
  /** Calls `listener` for every later message on `topic`; returns the unsubscribe function. */
  subscribe(topic: string, listener: (message: BusMessage) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
