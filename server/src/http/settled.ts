import type { FastifyReply } from "fastify";

/**
 * What an async route handler returns once it has sent its answer itself. Fastify asks for the reply
 * (`return reply`), which, being a thenable, costs the handler's promise a turn of adoption through
 * `reply.then`; where the answer has already ended, undefined says the same for less (Fastify sends
 * nothing for an undefined result once the reply is sent). A reply not ended yet (an onSend hook that
 * answers later, a streamed payload) is returned as before: for an undefined result, Fastify would send
 * the reply a second time.
 */
export function settled(reply: FastifyReply): FastifyReply | undefined {
  return reply.sent ? undefined : reply;
}
