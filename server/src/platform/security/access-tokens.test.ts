import { describe, expect, it } from "vitest";
import { manualClock } from "../../testing/harness.js";
import { createAccessTokens } from "./access-tokens.js";

const SECRET = "a-test-secret-of-at-least-32-characters!";

describe("access tokens", () => {
  it("verify, again from memory, until the token expires, then never again", async () => {
    const clock = manualClock();
    const tokens = createAccessTokens({ secret: SECRET, issuer: "trellis", ttlSeconds: 60, clock });
    const token = await tokens.sign({ userId: 7 });
    const first = await tokens.verify(token);
    expect(first).toMatchObject({ userId: 7 });
    expect(await tokens.verify(token)).toEqual(first);
    clock.advance(59_000);
    expect(await tokens.verify(token)).toEqual(first);
    clock.advance(1_000);
    expect(await tokens.verify(token)).toBeNull();
    expect(await tokens.verify(token)).toBeNull();
  });

  it("a token verified under one key is refused under another, whatever either remembers", async () => {
    const clock = manualClock();
    const ours = createAccessTokens({ secret: SECRET, issuer: "trellis", ttlSeconds: 60, clock });
    const theirs = createAccessTokens({ secret: `${SECRET}-other`, issuer: "trellis", ttlSeconds: 60, clock });
    const token = await ours.sign({ userId: 1 });
    expect(await ours.verify(token)).not.toBeNull();
    expect(await theirs.verify(token)).toBeNull();
    const otherIssuer = createAccessTokens({ secret: SECRET, issuer: "elsewhere", ttlSeconds: 60, clock });
    expect(await otherIssuer.verify(token)).toBeNull();
  });

  it("refuses a tampered token even after the genuine one was verified", async () => {
    const tokens = createAccessTokens({ secret: SECRET, issuer: "trellis", ttlSeconds: 60, clock: manualClock() });
    const token = await tokens.sign({ userId: 1 });
    expect(await tokens.verify(token)).not.toBeNull();
    const [header, payload, signature] = token.split(".");
    const forged = JSON.parse(Buffer.from(payload ?? "", "base64url").toString());
    forged.sub = "2";
    const tampered = [header, Buffer.from(JSON.stringify(forged)).toString("base64url"), signature].join(".");
    expect(await tokens.verify(tampered)).toBeNull();
    expect(await tokens.verify(`${token}x`)).toBeNull();
  });
});
