import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * The abort signal tRPC's Node adapters give procedures (`incomingMessageToRequest`): it aborts when
 * the client goes away before its response is complete.
 */
export function requestSignal(req: IncomingMessage, res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  const onAbort = () => {
    res.off("close", onClose);
    req.off("aborted", onAbort);
    controller.abort();
  };
  const onClose = () => {
    // A response that was written to the end closes too; only an unfinished one means the client left.
    if (res.writableEnded) {
      req.off("aborted", onAbort);
      return;
    }
    onAbort();
  };
  // Made lazily (RequestInfo), it may be asked for after the client has gone.
  if (res.closed && !res.writableEnded) {
    controller.abort();
    return controller.signal;
  }
  res.once("close", onClose);
  req.once("aborted", onAbort);
  return controller.signal;
}
