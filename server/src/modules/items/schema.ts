import { z } from "zod";
import type { Prisma } from "../../generated/prisma/client.js";
import type { Meta } from "../../trpc/meta.js";
import { dateTime, idInput, pageInput, pageOutput, text } from "../../trpc/schemas.js";

export const itemSelect = {
  id: true,
  title: true,
  description: true,
  price: true,
  ownerId: true,
  createdAt: true,
  updatedAt: true,
} satisfies Prisma.ItemSelect;

export const ItemOutput = z
  .object({
    id: z.number().int(),
    title: z.string(),
    description: z.string().nullable(),
    price: z.number().nullable(),
    ownerId: z.number().int(),
    createdAt: dateTime,
    updatedAt: dateTime,
  })
  .meta({ id: "Item" });

const title = text().trim().min(1).max(200);
const description = text().max(10_000).nullable();
/** Stored as NUMERIC(12,2): at most 2 decimals, below 10^10. */
const price = z.number().nonnegative().max(9_999_999_999.99).multipleOf(0.01).nullable();

export const CreateItemInput = z
  .object({ title, description: description.optional(), price: price.optional() })
  .meta({ id: "CreateItemInput" });
export const UpdateItemInput = idInput.extend({
  title: title.optional(),
  description: description.optional(),
  price: price.optional(),
});
export const ListItemsInput = pageInput.extend({
  sortBy: z.enum(["createdAt", "title", "price"]).default("createdAt"),
  order: z.enum(["asc", "desc"]).default("desc"),
  ownerId: z.coerce.number().int().positive().optional(),
});
export const ItemIdInput = idInput;
export const ItemPage = pageOutput(ItemOutput).meta({ id: "ItemPage" });

export const ItemChangeOutput = z
  .object({ type: z.enum(["created", "updated", "deleted"]), item: ItemOutput })
  .meta({ id: "ItemChange" });
export type ItemChange = z.output<typeof ItemChangeOutput>;

const bearer = { protect: true, tags: ["items"] };

export const listItemsMeta = {
  openapi: {
    ...bearer,
    method: "GET",
    path: "/v1/items",
    summary: "List items: paged, searchable, sortable",
    errorResponses: [400, 401],
  },
} satisfies Meta;
export const createItemMeta = {
  successStatus: 201,
  openapi: {
    ...bearer,
    method: "POST",
    path: "/v1/items",
    summary: "Create an item owned by the caller",
    successDescription: "Created",
    errorResponses: [400, 401],
  },
} satisfies Meta;
export const itemByIdMeta = {
  openapi: { ...bearer, method: "GET", path: "/v1/items/{id}", summary: "One item", errorResponses: [400, 401, 404] },
} satisfies Meta;
export const updateItemMeta = {
  openapi: {
    ...bearer,
    method: "PATCH",
    path: "/v1/items/{id}",
    summary: "Change an item (owner or admin)",
    errorResponses: [400, 401, 403, 404],
  },
} satisfies Meta;
export const deleteItemMeta = {
  successStatus: 204,
  openapi: {
    ...bearer,
    method: "DELETE",
    path: "/v1/items/{id}",
    summary: "Delete an item (owner or admin)",
    successDescription: "Deleted",
    errorResponses: [400, 401, 403, 404],
  },
} satisfies Meta;
export const onChangeMeta = {
  asyncapi: {
    summary: "Created, updated and deleted events of the caller's items",
    description: "Changes made by anyone (an admin too) to items the caller owns, as they happen; no replay.",
    event: ItemChangeOutput,
  },
} satisfies Meta;
