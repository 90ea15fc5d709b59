/** A message on a topic, as every subscriber on every instance receives it. */
export type BusMessage = unknown;

export interface SubscribeOptions {
  /**
   * Called when messages on the topic may have been lost: the Redis driver lost its connection
   * and has it back. Subscribers that keep a cursor (rooms) re-read what they missed from the database.
   */
  onMissed?: () => void;
}

/**
 * Publish/subscribe between the parts of the app, and — with the Redis driver — between
 * server instances. Payloads must be serialisable by superjson (Dates survive).
 */
export interface EventBus {
  readonly driver: "in-process" | "redis";
  publish(topic: string, message: BusMessage): Promise<void>;
  /**
   * Calls `listener` for every later message on `topic`; resolves once the subscription is live
   * (a message published after that reaches it). Returns the unsubscribe function.
   */
  subscribe(
    topic: string,
    listener: (message: BusMessage) => void,
    options?: SubscribeOptions,
  ): Promise<() => Promise<void>>;
  /** Resolves when the bus's backing service answers (always, in process). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
