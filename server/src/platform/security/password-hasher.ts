import { type Algorithm, hash, verify } from "@node-rs/argon2";

/** Hashes passwords; both calls run on libuv's thread pool, never blocking the event loop. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
}

/** OWASP's argon2id baseline: 19 MiB memory, 2 passes, 1 lane. */
// `Algorithm` is an ambient const enum, which isolated modules cannot read: 2 is its Argon2id.
const ARGON2ID = { algorithm: 2 as Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export const argon2idHasher: PasswordHasher = {
  hash: (password) => hash(password, ARGON2ID),
  verify: async (stored, password) => {
    try {
      return await verify(stored, password);
    } catch {
      // A malformed stored hash is a failed login, not a server error.
      return false;
    }
  },
};
