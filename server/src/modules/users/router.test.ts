import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeOf } from "../../testing/error-code.js";
import { createHarness, type Harness } from "../../testing/harness.js";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

describe("users.me / updateMe", () => {
  it("needs a token", async () => {
    expect(await codeOf(h.caller().users.me())).toBe("UNAUTHORIZED");
    expect(await codeOf(h.caller("garbage").users.me())).toBe("UNAUTHORIZED");
  });

  it("changes the name and the password (the old password stops working)", async () => {
    const { api, email, password } = await h.signUp();
    expect((await api.users.updateMe({ name: "Renamed" })).name).toBe("Renamed");
    await api.users.updateMe({ password: "a brand new password" });
    expect(await codeOf(h.caller().auth.login({ email, password }))).toBe("UNAUTHORIZED");
    expect(await codeOf(h.caller().auth.login({ email, password: "a brand new password" }))).toBe("resolved");
  });

  it("refuses an empty change and a too-short password", async () => {
    const { api } = await h.signUp();
    expect(await codeOf(api.users.updateMe({}))).toBe("BAD_REQUEST");
    expect(await codeOf(api.users.updateMe({ password: "short" }))).toBe("BAD_REQUEST");
  });
});

describe("admin routes", () => {
  it("are FORBIDDEN to plain users", async () => {
    const { api, user } = await h.signUp();
    expect(await codeOf(api.users.list({}))).toBe("FORBIDDEN");
    expect(await codeOf(api.users.byId({ id: user.id }))).toBe("FORBIDDEN");
    expect(await codeOf(api.users.delete({ id: user.id }))).toBe("FORBIDDEN");
  });

  it("list pages, counts and searches case-insensitively", async () => {
    const admin = await h.signUp({ admin: true });
    await h.signUp({ name: "Zebediah Unique" });
    const page = await admin.api.users.list({ limit: 1 });
    expect(page.items).toHaveLength(1);
    expect(page.total).toBeGreaterThanOrEqual(2);
    const found = await admin.api.users.list({ search: "zEbEdIaH" });
    expect(found.items.map((u) => u.name)).toEqual(["Zebediah Unique"]);
    expect(found.items[0]).not.toHaveProperty("passwordHash");
    expect(await codeOf(admin.api.users.list({ limit: 101 }))).toBe("BAD_REQUEST");
  });

  it("searches for %, _ and \\ as typed, not as LIKE patterns", async () => {
    const admin = await h.signUp({ admin: true });
    for (const name of ["Pct 100% Sure", "Pct 1000 Sure", "Und x_y", "Und xay", "Bks a\\b"]) await h.signUp({ name });
    const names = async (search: string) => (await admin.api.users.list({ search })).items.map((u) => u.name);
    expect(await names("0% s")).toEqual(["Pct 100% Sure"]);
    expect(await names("x_y")).toEqual(["Und x_y"]);
    expect(await names("a\\")).toEqual(["Bks a\\b"]);
  });

  it("byId finds a user or says NOT_FOUND", async () => {
    const admin = await h.signUp({ admin: true });
    const other = await h.signUp();
    expect((await admin.api.users.byId({ id: other.user.id })).email).toBe(other.email);
    expect(await codeOf(admin.api.users.byId({ id: 999_999 }))).toBe("NOT_FOUND");
  });

  it("delete removes the user, whose token then stops working; not themselves", async () => {
    const admin = await h.signUp({ admin: true });
    const victim = await h.signUp();
    await victim.api.items.create({ title: "owned" });
    await admin.api.users.delete({ id: victim.user.id });
    expect(await codeOf(victim.api.users.me())).toBe("UNAUTHORIZED");
    expect(await codeOf(admin.api.users.delete({ id: victim.user.id }))).toBe("NOT_FOUND");
    expect(await codeOf(admin.api.users.delete({ id: admin.user.id }))).toBe("FORBIDDEN");
  });

  it("a demoted admin loses admin rights at once", async () => {
    const admin = await h.signUp({ admin: true });
    await h.deps.db.user.update({ where: { id: admin.user.id }, data: { role: "user" } });
    expect(await codeOf(admin.api.users.list({}))).toBe("FORBIDDEN");
  });
});
