import { type ClientOptions, createClient } from "@trellis/client";
import { createServer, type Deps, type ServerOptions } from "@trellis/server/app";
import { openIsolatedDatabase, testEnv } from "@trellis/server/testing";

/** Every response body a test saw, so a test can assert what never went over the wire. */
export const seenBodies: string[] = [];

/**
 * The real server on a free port, on a database of its own: in-memory PGlite, or a fresh
 * database on the PostgreSQL server named by TEST_DATABASE_URL (dropped afterwards).
 */
export async function startServer(
  env: Record<string, string> = {},
  deps: Partial<Deps> = {},
  opts: Pick<ServerOptions, "router"> = {},
) {
  const database = await openIsolatedDatabase();
  const server = await createServer({
    env: testEnv({ PORT: "0", ...env }),
    deps: { db: database.prisma, sql: database.sql, ...deps },
    router: opts.router,
  });
  const url = await server.start();

  /** Plain fetch against the REST API, as a third party would call it. */
  async function rest(
    method: string,
    path: string,
    opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ) {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.body !== undefined) headers["content-type"] ??= "application/json";
    const response = await fetch(`${url}/api${path}`, {
      method,
      headers,
      body: opts.body === undefined ? undefined : typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body),
    });
    const text = await response.text();
    seenBodies.push(text);
    // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON bodies
    const body: any = text ? JSON.parse(text) : undefined;
    return { status: response.status, headers: response.headers, body };
  }

  const recordingFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    // An event stream (SSE subscription) does not end: only whole bodies are recorded.
    if (!response.headers.get("content-type")?.startsWith("text/event-stream")) {
      seenBodies.push(await response.clone().text());
    }
    return response;
  };

  return {
    url,
    server,
    rest,
    client: (token?: string | (() => string | undefined), opts: Partial<ClientOptions> = {}) =>
      createClient({ url, token, fetch: recordingFetch, ...opts }),
    async stop() {
      await server.stop();
      await database.close();
    },
  };
}

export type TestServer = Awaited<ReturnType<typeof startServer>>;

let counter = 0;
/** Registers and logs in a fresh user over REST. */
export async function signUp(api: TestServer, opts: { password?: string } = {}) {
  const email = `e2e-${process.pid}-${Date.now()}-${counter++}@example.com`;
  const password = opts.password ?? "correct horse battery";
  const registered = await api.rest("POST", "/v1/auth/register", { body: { email, name: "E2E User", password } });
  if (registered.status !== 201)
    throw new Error(`register failed: ${registered.status} ${JSON.stringify(registered.body)}`);
  const login = await api.rest("POST", "/v1/auth/login", { body: { email, password } });
  return {
    email,
    password,
    user: registered.body,
    tokens: login.body as { accessToken: string; refreshToken: string },
  };
}

/** A started server and two signed-up users, Alice and Bob: what the realtime files start from. */
export async function startWithTwoUsers(env: Record<string, string> = {}, deps: Partial<Deps> = {}) {
  const api = await startServer(env, deps);
  return { api, alice: await signUp(api), bob: await signUp(api) };
}
export type TwoUsers = Awaited<ReturnType<typeof startWithTwoUsers>>;
