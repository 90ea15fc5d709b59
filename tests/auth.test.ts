import { TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seenBodies, signUp, startServer, type TestServer } from "./support/server.js";

let api: TestServer;
beforeAll(async () => {
  api = await startServer();
});
afterAll(() => api?.stop());

describe("auth over REST", () => {
  it("register answers 201 with the user, then 409 in the documented body for the same email", async () => {
    const body = { email: "rest-user@example.com", name: "Rest", password: "long enough pw" };
    const created = await api.rest("POST", "/v1/auth/register", { body });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ email: "rest-user@example.com", name: "Rest", role: "user" });
    expect(typeof created.body.createdAt).toBe("string");
    const again = await api.rest("POST", "/v1/auth/register", { body });
    expect(again.status).toBe(409);
    expect(again.body).toEqual({
      code: "CONFLICT",
      message: "A user with this email already exists",
      requestId: again.headers.get("x-request-id"),
    });
  });

  it("invalid input is a 400 naming each bad field", async () => {
    const response = await api.rest("POST", "/v1/auth/register", { body: { email: "nope", name: "N", password: "x" } });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe("BAD_REQUEST");
    expect(response.body.issues.map((i: { path: string[] }) => i.path[0]).sort()).toEqual(["email", "password"]);
    expect(response.body).not.toHaveProperty("stack");
  });

  it("login, me, refresh rotation, reuse detection and logout", async () => {
    const { tokens, email } = await signUp(api);
    const me = await api.rest("GET", "/v1/users/me", { token: tokens.accessToken });
    expect(me.status).toBe(200);
    expect(me.body.email).toBe(email);

    const rotated = await api.rest("POST", "/v1/auth/refresh", { body: { refreshToken: tokens.refreshToken } });
    expect(rotated.status).toBe(200);
    expect(rotated.body.tokenType).toBe("bearer");

    // Replaying the old token: refused, and the whole family — including the new token — is revoked.
    const replay = await api.rest("POST", "/v1/auth/refresh", { body: { refreshToken: tokens.refreshToken } });
    expect(replay.status).toBe(401);
    const afterReplay = await api.rest("POST", "/v1/auth/refresh", {
      body: { refreshToken: rotated.body.refreshToken },
    });
    expect(afterReplay.status).toBe(401);

    const second = await api.rest("POST", "/v1/auth/login", { body: { email, password: "correct horse battery" } });
    const logout = await api.rest("POST", "/v1/auth/logout", { body: { refreshToken: second.body.refreshToken } });
    expect(logout.status).toBe(204);
    expect(logout.body).toBeUndefined();
    const afterLogout = await api.rest("POST", "/v1/auth/refresh", {
      body: { refreshToken: second.body.refreshToken },
    });
    expect(afterLogout.status).toBe(401);
  });

  it("wrong password and missing or bad tokens are 401", async () => {
    const { email } = await signUp(api);
    expect((await api.rest("POST", "/v1/auth/login", { body: { email, password: "wrong one!" } })).status).toBe(401);
    expect((await api.rest("GET", "/v1/users/me")).status).toBe(401);
    expect((await api.rest("GET", "/v1/users/me", { token: "not.a.jwt" })).status).toBe(401);
  });
});

describe("auth over tRPC with the typed client", () => {
  it("a token getter follows refreshes; errors carry code, requestId and issues", async () => {
    const { tokens } = await signUp(api);
    let current = tokens.accessToken;
    const client = api.client(() => current);
    const me = await client.users.me.query();
    expect(me.createdAt).toBeInstanceOf(Date);

    const next = await client.auth.refresh.mutate({ refreshToken: tokens.refreshToken });
    current = next.accessToken;
    expect((await client.users.me.query()).id).toBe(me.id);

    const error = await client.auth.register.mutate({ email: "bad", name: "x", password: "x" }).catch((e) => e);
    expect(error).toBeInstanceOf(TRPCClientError);
    expect(error.data.code).toBe("BAD_REQUEST");
    expect(error.data.requestId).toEqual(expect.any(String));
    expect(error.data.issues.map((i: { path: string[] }) => i.path[0])).toContain("email");
    expect(error.data.stack).toBeUndefined();
  });

  it("a session refreshes once on UNAUTHORIZED and retries every waiting call", async () => {
    const { tokens } = await signUp(api);
    const { createClient, createSession } = await import("@trellis/client");
    let changes = 0;
    // A stale access token: the first calls fail with 401, trigger one refresh, then succeed.
    const session = createSession({
      url: api.url,
      tokens: { accessToken: "stale.access.token", refreshToken: tokens.refreshToken },
      onChange: () => changes++,
    });
    const client = createClient({ url: api.url, token: session.accessToken, onUnauthorized: session.refresh });
    const [me, items, again] = await Promise.all([
      client.users.me.query(),
      client.items.list.query({ limit: 1 }),
      client.users.me.query(),
    ]);
    expect(me.id).toBe(again.id);
    expect(items.limit).toBe(1);
    // One rotation only: a second refresh with the same token would have revoked the login.
    expect(changes).toBe(1);
    expect(await session.refresh()).toEqual(expect.any(String));

    const revoked = createSession({
      url: api.url,
      tokens: { accessToken: "stale", refreshToken: tokens.refreshToken },
    });
    const failing = createClient({ url: api.url, token: revoked.accessToken, onUnauthorized: revoked.refresh });
    const error = await failing.users.me.query().catch((e) => e);
    expect(error.data.code).toBe("UNAUTHORIZED");
  });

  it("no response of this file ever carried a password hash", () => {
    expect(seenBodies.length).toBeGreaterThan(10);
    for (const body of seenBodies) {
      expect(body).not.toMatch(/passwordHash|\$argon2/);
    }
  });
});
