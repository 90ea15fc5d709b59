/**
 * `map.set(key, value)`, first dropping the oldest entry when `max` are held: a Map iterates in
 * insertion order, so this bounds a cache's memory under many distinct keys without an LRU's bookkeeping.
 */
export function setBounded<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  if (map.size >= max) map.delete(map.keys().next().value as K);
  map.set(key, value);
}
