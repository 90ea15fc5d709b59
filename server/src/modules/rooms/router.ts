import { router } from "../../trpc/init.js";
import { liveProcedure, trackedBy } from "../../trpc/live.js";
import { authedProcedure } from "../../trpc/procedures.js";
import {
  OnMessageInput,
  onMessageMeta,
  PresenceInput,
  presenceMeta,
  RoomHistory,
  RoomHistoryInput,
  type RoomMessage,
  RoomMessageOutput,
  roomHistoryMeta,
  SendMessageInput,
  sendMessageMeta,
} from "./schema.js";
import { roomHistory, sendMessage } from "./service.js";
import { streamPresence, streamRoomMessages } from "./stream.js";

const idOf = (message: RoomMessage) => message.id;

/** Chat rooms: open to every signed-in user; a room exists once someone posts to it. */
export const roomsRouter = router({
  send: authedProcedure
    .meta(sendMessageMeta)
    .input(SendMessageInput)
    .output(RoomMessageOutput)
    .mutation(({ ctx, input }) => sendMessage(ctx.deps, ctx.user, input)),
  history: authedProcedure
    .meta(roomHistoryMeta)
    .input(RoomHistoryInput)
    .output(RoomHistory)
    .query(({ ctx, input }) => roomHistory(ctx.deps, input)),
  onMessage: liveProcedure
    .meta(onMessageMeta)
    .input(OnMessageInput)
    .subscription(async ({ ctx, input, signal }) => {
      const handOff = ctx.connection?.handOff(idOf);
      return trackedBy(await streamRoomMessages(ctx.deps, { ...input, signal, handOff }), idOf);
    }),
  presence: liveProcedure
    .meta(presenceMeta)
    .input(PresenceInput)
    .subscription(({ ctx, input, signal }) => streamPresence(ctx.deps, ctx.user, { room: input.room, signal })),
});
