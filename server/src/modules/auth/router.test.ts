import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { codeOf } from "../../testing/error-code.js";
import { createHarness, type Harness, manualClock } from "../../testing/harness.js";

let h: Harness;
const clock = manualClock();
beforeAll(async () => {
  h = await createHarness({ clock });
});
afterAll(() => h.close());

describe("auth.register", () => {
  it("creates a user and never returns the password hash", async () => {
    const user = await h
      .caller()
      .auth.register({ email: "  Ada@Example.com ", name: "Ada", password: "long enough pw" });
    expect(user).toMatchObject({ email: "ada@example.com", name: "Ada", role: "user" });
    expect(Object.keys(user)).not.toContain("passwordHash");
    const stored = await h.deps.db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(stored.passwordHash).toMatch(/^\$argon2id\$/);
  });

  it("sends a welcome email in the background", async () => {
    const user = await h
      .caller()
      .auth.register({ email: "welcome@example.com", name: "Wendy", password: "long enough pw" });
    await vi.waitFor(async () => {
      const mail = await h.deps.db.capturedMail.findMany({ where: { to: user.email } });
      expect(mail).toHaveLength(1);
      expect(mail[0]).toMatchObject({ subject: "Welcome to Trellis", text: expect.stringContaining("Hello Wendy") });
    });
  });

  it("sign-up and its welcome job commit together: no job, no account", async () => {
    const broken = await createHarness({
      jobs: { ...h.deps.jobs, enqueue: () => Promise.reject(new Error("queue down")) },
    });
    try {
      const email = "atomic@example.com";
      expect(await codeOf(broken.caller().auth.register({ email, name: "A", password: "long enough pw" }))).toBe(
        "INTERNAL_SERVER_ERROR",
      );
      expect(await broken.deps.db.user.findUnique({ where: { email } })).toBeNull();
    } finally {
      await broken.close();
    }
  });

  it("refuses a taken email, whatever its case, with CONFLICT", async () => {
    await h.caller().auth.register({ email: "grace@example.com", name: "Grace", password: "long enough pw" });
    expect(
      await codeOf(h.caller().auth.register({ email: "GRACE@example.com", name: "G", password: "long enough pw" })),
    ).toBe("CONFLICT");
  });

  it("rejects invalid input with BAD_REQUEST naming the fields", async () => {
    const error = await h
      .caller()
      .auth.register({ email: "not-an-email", name: "", password: "short" })
      .catch((e) => e);
    expect(error).toBeInstanceOf(TRPCError);
    expect(error.code).toBe("BAD_REQUEST");
  });
});

describe("auth.login", () => {
  it("returns a bearer token pair that authenticates", async () => {
    const { tokens, api, email } = await h.signUp();
    expect(tokens).toMatchObject({ tokenType: "bearer", expiresIn: 900 });
    expect((await api.users.me()).email).toBe(email);
  });

  it("refuses a wrong password and an unknown email alike", async () => {
    const { email } = await h.signUp();
    expect(await codeOf(h.caller().auth.login({ email, password: "wrong password" }))).toBe("UNAUTHORIZED");
    expect(await codeOf(h.caller().auth.login({ email: "nobody@example.com", password: "whatever1" }))).toBe(
      "UNAUTHORIZED",
    );
  });

  it("throttles repeated sign-in attempts per account, leaving other accounts alone", async () => {
    const { email, password } = await h.signUp();
    const other = await h.signUp();
    for (let i = 0; i < 10; i++) await codeOf(h.caller().auth.login({ email, password: "wrong password" }));
    expect(await codeOf(h.caller().auth.login({ email, password }))).toBe("TOO_MANY_REQUESTS");
    expect(await codeOf(h.caller().auth.login({ email: other.email, password: other.password }))).toBe("resolved");
  });

  it("access tokens stop working when they expire", async () => {
    const { api } = await h.signUp();
    clock.advance(901_000);
    expect(await codeOf(api.users.me())).toBe("UNAUTHORIZED");
  });
});

describe("auth.refresh", () => {
  it("rotates: the new pair works, the old refresh token does not", async () => {
    const { tokens } = await h.signUp();
    const next = await h.caller().auth.refresh({ refreshToken: tokens.refreshToken });
    expect(next.refreshToken).not.toBe(tokens.refreshToken);
    expect(await h.caller(next.accessToken).users.me()).toBeTruthy();
    expect(await codeOf(h.caller().auth.refresh({ refreshToken: tokens.refreshToken }))).toBe("UNAUTHORIZED");
  });

  it("reuse of a rotated token revokes the whole family, but not other logins", async () => {
    const { tokens, email, password } = await h.signUp();
    const otherLogin = await h.caller().auth.login({ email, password });
    const rotated = await h.caller().auth.refresh({ refreshToken: tokens.refreshToken });
    expect(await codeOf(h.caller().auth.refresh({ refreshToken: tokens.refreshToken }))).toBe("UNAUTHORIZED");
    expect(await codeOf(h.caller().auth.refresh({ refreshToken: rotated.refreshToken }))).toBe("UNAUTHORIZED");
    expect(await codeOf(h.caller().auth.refresh({ refreshToken: otherLogin.refreshToken }))).toBe("resolved");
  });

  it("two concurrent refreshes with one token: exactly one succeeds", async () => {
    const { tokens } = await h.signUp();
    const results = await Promise.all([
      codeOf(h.caller().auth.refresh({ refreshToken: tokens.refreshToken })),
      codeOf(h.caller().auth.refresh({ refreshToken: tokens.refreshToken })),
    ]);
    expect(results.filter((r) => r === "resolved")).toHaveLength(1);
  });

  it("refuses an expired refresh token and an unknown one", async () => {
    const { tokens } = await h.signUp();
    expect(await codeOf(h.caller().auth.refresh({ refreshToken: "made-up" }))).toBe("UNAUTHORIZED");
    clock.advance(31 * 86_400_000);
    expect(await codeOf(h.caller().auth.refresh({ refreshToken: tokens.refreshToken }))).toBe("UNAUTHORIZED");
  });
});

describe("auth.logout", () => {
  it("ends the login: its refresh token no longer works; unknown tokens are fine", async () => {
    const { tokens } = await h.signUp();
    await h.caller().auth.logout({ refreshToken: tokens.refreshToken });
    expect(await codeOf(h.caller().auth.refresh({ refreshToken: tokens.refreshToken }))).toBe("UNAUTHORIZED");
    expect(await codeOf(h.caller().auth.logout({ refreshToken: "never-issued" }))).toBe("resolved");
  });
});
