import { distinctMembers, type PresenceMember, type PresenceStore } from "./presence.js";

/**
 * Presence of one process: nothing can crash without taking its members with it, so nothing expires.
 * One version counter serves every space: a snapshot carries the count of changes made so far, which
 * grows with every change of its space as a per-space counter would, and nothing is kept for a space
 * once its last member leaves (a counter per space stayed forever, one per room ever used).
 */
export function createMemoryPresenceStore(): PresenceStore {
  const spaces = new Map<string, Map<string, PresenceMember>>();
  let version = 0;

  const snapshotOf = (space: string) => ({
    version,
    members: distinctMembers(spaces.get(space)?.values() ?? []),
  });

  return {
    async add(space, connectionId, member) {
      let members = spaces.get(space);
      if (!members) {
        members = new Map();
        spaces.set(space, members);
      }
      members.set(connectionId, member);
      version++;
      return snapshotOf(space);
    },
    async remove(space, connectionId) {
      const members = spaces.get(space);
      members?.delete(connectionId);
      if (members?.size === 0) spaces.delete(space);
      version++;
      return snapshotOf(space);
    },
    snapshot: async (space) => snapshotOf(space),
    expire: async () => null,
    refresh: async () => {},
    close: async () => {
      spaces.clear();
    },
  };
}
