import { availableParallelism } from "node:os";

/**
 * How many connections one instance opens to a PostgreSQL server unless told (DATABASE_POOL_SIZE):
 * Prisma's classic `connection_limit` rule, 2 × CPUs + 1, which its pg adapter no longer applies
 * (pg's own default is 10). More is not faster once the cores are busy, only slower in the tail.
 */
export const defaultPoolSize = () => availableParallelism() * 2 + 1;
