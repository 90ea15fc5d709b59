import type { AppRouter } from "@trellis/client";
import {
  createTRPCClient,
  httpBatchLink,
  httpBatchStreamLink,
  httpLink,
  httpSubscriptionLink,
  splitLink,
  TRPCClientError,
} from "@trpc/client";
import { EventSource } from "eventsource";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Pair, startPair } from "./support/compat.js";
import type { TestServer } from "./support/server.js";

/**
 * Every @trpc/client HTTP link against the server with the fast path on, and the same calls against
 * the stock adapter: the results (and errors) the application sees must be the same.
 */
let pair: Pair;
const tokens = new Map<TestServer, { owner: string; stranger: string }>();

beforeAll(async () => {
  pair = await startPair();
  for (const server of [pair.stock, pair.fast]) {
    const login = async (email: string) => {
      const password = "correct horse battery";
      await server.rest("POST", "/v1/auth/register", { body: { email, name: "Links", password } });
      return (await server.rest("POST", "/v1/auth/login", { body: { email, password } })).body.accessToken as string;
    };
    tokens.set(server, { owner: await login("owner@links.example"), stranger: await login("stranger@links.example") });
  }
}, 120_000);
afterAll(() => pair?.stop());

const LINKS = {
  httpLink: (url: string, headers: () => Record<string, string>) => httpLink({ url, transformer: superjson, headers }),
  httpBatchLink: (url: string, headers: () => Record<string, string>) =>
    httpBatchLink({ url, transformer: superjson, headers }),
  httpBatchStreamLink: (url: string, headers: () => Record<string, string>) =>
    httpBatchStreamLink({ url, transformer: superjson, headers }),
};

function clientFor(server: TestServer, link: keyof typeof LINKS, token?: string) {
  const url = `${server.url}/trpc`;
  const headers = () => (token ? { authorization: `Bearer ${token}` } : ({} as Record<string, string>));
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        true: httpSubscriptionLink({
          url,
          transformer: superjson,
          EventSource,
          eventSourceOptions: () => ({
            fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, ...headers() } }),
          }),
        }),
        false: LINKS[link](url, headers),
      }),
    ],
  });
}

/** What a caller sees of a result or an error; request ids and timestamps vary between servers. */
async function outcome(call: () => Promise<unknown>) {
  try {
    return { ok: normalize(await call()) };
  } catch (error) {
    if (!(error instanceof TRPCClientError)) throw error;
    const { requestId, ...data } = error.data ?? {};
    return { error: { message: error.message, data: normalize(data), hasRequestId: typeof requestId === "string" } };
  }
}
const normalize = (value: unknown) =>
  JSON.parse(superjson.stringify(value).replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/g, "<date>")) as unknown;

async function scenario(server: TestServer, link: keyof typeof LINKS, label: string) {
  const owner = clientFor(server, link, tokens.get(server)?.owner);
  const stranger = clientFor(server, link, tokens.get(server)?.stranger);
  const anonymous = clientFor(server, link);
  const created = await owner.items.create.mutate({ title: `From ${link}`, price: 4.25 });
  const received: unknown[] = [];
  const sub = owner.rooms.onMessage.subscribe(
    { room: `links-${label}` },
    { onData: (event) => received.push(normalize(event)), onError: (error) => received.push(String(error)) },
  );
  const results = {
    live: await outcome(() => owner.health.live.query()),
    me: await outcome(() => owner.users.me.query()),
    created: normalize(created),
    together: await outcome(() =>
      Promise.all([
        owner.items.byId.query({ id: created.id }),
        owner.items.list.query({ limit: 1 }),
        owner.users.me.query(),
      ]),
    ),
    tooMany: await outcome(() => owner.items.list.query({ limit: 101 })),
    missing: await outcome(() => owner.items.byId.query({ id: 999_999 })),
    forbidden: await outcome(() => stranger.items.update.mutate({ id: created.id, title: "Mine" })),
    anonymous: await outcome(() => anonymous.users.me.query()),
    mixed: await outcome(() =>
      Promise.allSettled([owner.items.byId.query({ id: created.id }), owner.items.byId.query({ id: 999_998 })]).then(
        (all) =>
          all.map((r) => (r.status === "fulfilled" ? "ok" : (r.reason as TRPCClientError<AppRouter>).data?.code)),
      ),
    ),
  };
  // A message posted over REST reaches the SSE subscription (which the fast path hands to tRPC's adapter).
  for (let i = 0; i < 50 && received.length === 0; i++) {
    await server.rest("POST", `/v1/rooms/links-${label}/messages`, {
      token: tokens.get(server)?.owner,
      body: { text: "hi" },
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  sub.unsubscribe();
  return { ...results, firstEvent: received[0] };
}

describe("@trpc/client links against the fast path", () => {
  for (const link of Object.keys(LINKS) as (keyof typeof LINKS)[]) {
    it(`${link} (+ httpSubscriptionLink) sees the same results and errors as with the stock adapter`, async () => {
      const room = link.toLowerCase();
      const stock = await scenario(pair.stock, link, room);
      const fast = await scenario(pair.fast, link, room);
      expect(fast).toEqual(stock);
      expect(fast.me).toMatchObject({ ok: { json: { email: "owner@links.example" } } });
      expect(fast.tooMany).toMatchObject({
        error: { data: { json: { code: "BAD_REQUEST", issues: [{ path: ["limit"] }] } } },
      });
      expect(fast.missing).toMatchObject({ error: { data: { json: { code: "NOT_FOUND" } }, hasRequestId: true } });
      expect(fast.firstEvent).toMatchObject({ json: { data: { text: "hi" } } });
    });
  }
});
