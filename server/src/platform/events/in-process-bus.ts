import { EventEmitter } from "node:events";
import type { EventBus } from "./event-bus.js";

/** The embedded default: one process, no network. Listeners run synchronously on publish. */
export function createInProcessBus(): EventBus {
  const emitter = new EventEmitter();
  // Every WebSocket subscription adds a listener; the default warning at 10 would be noise.
  emitter.setMaxListeners(0);
  return {
    driver: "in-process",
    async publish(topic, message) {
      emitter.emit(topic, message);
    },
    async subscribe(topic, listener) {
      emitter.on(topic, listener);
      return async () => {
        emitter.off(topic, listener);
      };
    },
    async ping() {},
    async close() {
      emitter.removeAllListeners();
    },
  };
}
