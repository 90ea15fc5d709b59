import { z } from "zod";
import { router } from "../../trpc/init.js";
import { liveProcedure } from "../../trpc/live.js";
import { authedProcedure } from "../../trpc/procedures.js";
import { noContent } from "../../trpc/schemas.js";
import {
  CreateItemInput,
  createItemMeta,
  deleteItemMeta,
  ItemIdInput,
  ItemOutput,
  ItemPage,
  itemByIdMeta,
  ListItemsInput,
  listItemsMeta,
  onChangeMeta,
  UpdateItemInput,
  updateItemMeta,
} from "./schema.js";
import { createItem, deleteItem, getItem, listItems, streamItemChanges, updateItem } from "./service.js";

export const itemsRouter = router({
  list: authedProcedure
    .meta(listItemsMeta)
    .input(ListItemsInput)
    .output(ItemPage)
    .query(({ ctx, input }) => listItems(ctx.deps, input)),
  create: authedProcedure
    .meta(createItemMeta)
    .input(CreateItemInput)
    .output(ItemOutput)
    .mutation(({ ctx, input }) => createItem(ctx.deps, ctx.user, input)),
  byId: authedProcedure
    .meta(itemByIdMeta)
    .input(ItemIdInput)
    .output(ItemOutput)
    .query(({ ctx, input }) => getItem(ctx.deps, input.id)),
  update: authedProcedure
    .meta(updateItemMeta)
    .input(UpdateItemInput)
    .output(ItemOutput)
    .mutation(({ ctx, input }) => updateItem(ctx.deps, ctx.user, input)),
  delete: authedProcedure
    .meta(deleteItemMeta)
    .input(ItemIdInput)
    .output(noContent)
    .mutation(({ ctx, input }) => deleteItem(ctx.deps, ctx.user, input.id)),
  onChange: liveProcedure
    .meta(onChangeMeta)
    .input(z.void())
    .subscription(({ ctx, signal }) => streamItemChanges(ctx.deps, ctx.user, signal)),
});
