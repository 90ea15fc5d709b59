import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { authRouter } from "./modules/auth/router.js";
import { healthRouter } from "./modules/health/router.js";
import { itemsRouter } from "./modules/items/router.js";
import { roomsRouter } from "./modules/rooms/router.js";
import { usersRouter } from "./modules/users/router.js";
import { router } from "./trpc/init.js";

/** Every procedure of the API. REST routes are these same procedures, exposed through `meta.openapi`. */
export const appRouter = router({
  health: healthRouter,
  auth: authRouter,
  users: usersRouter,
  items: itemsRouter,
  rooms: roomsRouter,
});

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
