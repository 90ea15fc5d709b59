import { z } from "zod";
import type { Meta } from "../../trpc/meta.js";
import { noContent } from "../../trpc/schemas.js";
import { email, name, password, UserOutput } from "../users/schema.js";

export const RegisterInput = z.object({ email, name, password }).meta({ id: "RegisterInput" });
export const RegisterOutput = UserOutput;
export const LoginInput = z.object({ email, password: z.string().min(1).max(128) }).meta({ id: "LoginInput" });
export const RefreshInput = z.object({ refreshToken: z.string().min(1).max(200) });
export const LogoutInput = RefreshInput;
export const LogoutOutput = noContent;

export const TokenPair = z
  .object({
    accessToken: z.string(),
    refreshToken: z.string(),
    tokenType: z.literal("bearer"),
    /** Seconds until the access token expires. */
    expiresIn: z.number().int(),
  })
  .meta({ id: "TokenPair" });

const tags = ["auth"];

export const registerMeta = {
  successStatus: 201,
  openapi: {
    protect: false,
    tags,
    method: "POST",
    path: "/v1/auth/register",
    summary: "Create an account",
    successDescription: "Created",
    errorResponses: [400, 409],
  },
} satisfies Meta;
export const loginMeta = {
  openapi: {
    protect: false,
    tags,
    method: "POST",
    path: "/v1/auth/login",
    summary: "Exchange email and password for tokens",
    errorResponses: [400, 401, 429],
  },
} satisfies Meta;
export const refreshMeta = {
  openapi: {
    protect: false,
    tags,
    method: "POST",
    path: "/v1/auth/refresh",
    summary: "Rotate a refresh token into a new token pair",
    description:
      "The presented refresh token stops working. Presenting an already-used one revokes every token of that login.",
    errorResponses: [400, 401],
  },
} satisfies Meta;
export const logoutMeta = {
  successStatus: 204,
  openapi: {
    protect: false,
    tags,
    method: "POST",
    path: "/v1/auth/logout",
    summary: "Revoke the refresh token and every token rotated from it",
    successDescription: "Logged out",
    errorResponses: [400],
  },
} satisfies Meta;
