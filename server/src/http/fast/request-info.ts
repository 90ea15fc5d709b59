import type { TRPCRequestInfo } from "@trpc/server/http";

/**
 * The `info` tRPC hands to `createContext` and `responseMeta`, with `url` and `signal` made when
 * first read: most contexts read neither, and both cost more to make than the rest of the request's
 * bookkeeping. They are getters of the class, so `{ ...info }` leaves them out; tRPC never spreads it.
 */
export class RequestInfo<Call extends TRPCRequestInfo["calls"][number] = TRPCRequestInfo["calls"][number]>
  implements TRPCRequestInfo
{
  readonly accept: TRPCRequestInfo["accept"];
  readonly type: TRPCRequestInfo["type"];
  readonly isBatchCall: boolean;
  readonly calls: Call[];
  readonly connectionParams: TRPCRequestInfo["connectionParams"];
  private madeUrl: URL | null | undefined;
  private madeSignal: AbortSignal | undefined;

  constructor(
    fields: Omit<TRPCRequestInfo, "url" | "signal" | "calls"> & { calls: Call[] },
    private readonly makeUrl: () => URL | null,
    private readonly makeSignal: () => AbortSignal,
  ) {
    this.accept = fields.accept;
    this.type = fields.type;
    this.isBatchCall = fields.isBatchCall;
    this.calls = fields.calls;
    this.connectionParams = fields.connectionParams;
  }

  get url(): URL | null {
    if (this.madeUrl === undefined) this.madeUrl = this.makeUrl();
    return this.madeUrl;
  }

  get signal(): AbortSignal {
    this.madeSignal ??= this.makeSignal();
    return this.madeSignal;
  }
}
