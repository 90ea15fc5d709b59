import { distinctMembers, type PresenceMember, type PresenceStore } from "./presence.js";

/** Presence of one process: nothing can crash without taking its members with it, so nothing expires. */
export function createMemoryPresenceStore(): PresenceStore {
  const spaces = new Map<string, Map<string, PresenceMember>>();
  const versions = new Map<string, number>();

  const snapshotOf = (space: string) => ({
    version: versions.get(space) ?? 0,
    members: distinctMembers(spaces.get(space)?.values() ?? []),
  });
  const bump = (space: string) => versions.set(space, (versions.get(space) ?? 0) + 1);

  return {
    async add(space, connectionId, member) {
      let members = spaces.get(space);
      if (!members) {
        members = new Map();
        spaces.set(space, members);
      }
      members.set(connectionId, member);
      bump(space);
      return snapshotOf(space);
    },
    async remove(space, connectionId) {
      const members = spaces.get(space);
      members?.delete(connectionId);
      if (members?.size === 0) spaces.delete(space);
      bump(space);
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
