import { z } from "zod";
import type { Prisma } from "../../generated/prisma/client.js";
import type { Meta } from "../../trpc/meta.js";
import { dateTime, MAX_PAGE_SIZE, text } from "../../trpc/schemas.js";

/** Longest message text. Part of the contract (and the OpenAPI document), so not a setting. */
export const MAX_MESSAGE_LENGTH = 2000;

export const roomName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "1-64 of a-z, 0-9, - and _, starting with a letter or digit")
  .meta({ description: "Room name", example: "general" });

export const messageSelect = {
  roomName: true,
  seq: true,
  text: true,
  createdAt: true,
  author: { select: { id: true, name: true } },
} satisfies Prisma.RoomMessageSelect;

export const RoomMessageOutput = z
  .object({
    id: z
      .number()
      .int()
      .positive()
      .meta({ description: "Position in the room: 1, 2, 3… (the event id to resume after)" }),
    room: z.string(),
    text: z.string(),
    author: z.object({ id: z.number().int(), name: z.string() }),
    createdAt: dateTime,
  })
  .meta({ id: "RoomMessage" });
export type RoomMessage = z.output<typeof RoomMessageOutput>;

export const SendMessageInput = z.object({ room: roomName, text: text().trim().min(1).max(MAX_MESSAGE_LENGTH) });

export const RoomHistoryInput = z.object({
  room: roomName,
  after: z.coerce
    .number()
    .int()
    .min(0)
    .max(2_147_483_647)
    .optional()
    .meta({ description: "Messages after this id (0: from the first). Omitted: the latest page." }),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(50),
});
export const RoomHistory = z.object({ items: z.array(RoomMessageOutput) }).meta({ id: "RoomHistory" });

export const OnMessageInput = z.object({
  room: roomName,
  lastEventId: z.coerce
    .number()
    .int()
    .min(0)
    .max(2_147_483_647)
    .nullish()
    .meta({ description: "The id of the last message received: what came after it is sent first" }),
});

export const PresenceInput = z.object({ room: roomName });
export const PresenceOutput = z
  .object({
    room: z.string(),
    members: z.array(z.object({ id: z.number().int(), name: z.string() })).meta({
      description: "Everyone with this room open, each user once, by name",
    }),
  })
  .meta({ id: "RoomPresence" });
export type RoomPresence = z.output<typeof PresenceOutput>;

const bearer = { protect: true, tags: ["rooms"] };

export const sendMessageMeta = {
  successStatus: 201,
  openapi: {
    ...bearer,
    method: "POST",
    path: "/v1/rooms/{room}/messages",
    summary: "Post a message to a room (created by its first message)",
    description: `Text of 1-${MAX_MESSAGE_LENGTH} characters. Each user may send a limited number of messages per window (429 beyond it).`,
    successDescription: "Created",
    errorResponses: [400, 401, 429],
  },
} satisfies Meta;
export const roomHistoryMeta = {
  openapi: {
    ...bearer,
    method: "GET",
    path: "/v1/rooms/{room}/messages",
    summary: "A page of a room's messages, oldest first",
    description:
      "Without `after`: the latest `limit` messages. With `after`: the `limit` messages that follow that id; " +
      "page on with the last id you received. An unknown room has no messages.",
    errorResponses: [400, 401],
  },
} satisfies Meta;
export const onMessageMeta = {
  asyncapi: {
    summary: "Every message posted to a room, from any server instance",
    description:
      "With `lastEventId`, the messages after it come first (from the database), then live ones: none twice, none lost.",
    event: RoomMessageOutput,
    tracked: true,
  },
} satisfies Meta;
export const presenceMeta = {
  asyncapi: {
    summary: "Who is in a room",
    description:
      "Subscribing puts the caller in the room until the subscription ends (or its connection drops). " +
      "The first event is the room as the caller joined it; another follows every join and leave.",
    event: PresenceOutput,
  },
} satisfies Meta;
