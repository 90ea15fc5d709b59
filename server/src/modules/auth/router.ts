import { router } from "../../trpc/init.js";
import { publicProcedure } from "../../trpc/procedures.js";
import {
  LoginInput,
  LogoutInput,
  LogoutOutput,
  loginMeta,
  logoutMeta,
  RefreshInput,
  RegisterInput,
  RegisterOutput,
  refreshMeta,
  registerMeta,
  TokenPair,
} from "./schema.js";
import { login, logout, refresh, registerUser } from "./service.js";

export const authRouter = router({
  register: publicProcedure
    .meta(registerMeta)
    .input(RegisterInput)
    .output(RegisterOutput)
    .mutation(({ ctx, input }) => registerUser(ctx.deps, input)),
  login: publicProcedure
    .meta(loginMeta)
    .input(LoginInput)
    .output(TokenPair)
    .mutation(({ ctx, input }) => login(ctx.deps, input)),
  refresh: publicProcedure
    .meta(refreshMeta)
    .input(RefreshInput)
    .output(TokenPair)
    .mutation(({ ctx, input }) => refresh(ctx.deps, input.refreshToken)),
  logout: publicProcedure
    .meta(logoutMeta)
    .input(LogoutInput)
    .output(LogoutOutput)
    .mutation(({ ctx, input }) => logout(ctx.deps, input.refreshToken)),
});
