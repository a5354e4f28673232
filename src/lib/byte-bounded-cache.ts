/**
 * Kept values bounded by the bytes they hold in all, the least recently used out first. A value
 * larger than an eighth of the bound is not kept: one huge page must not empty the rest.
 */
export function createByteBoundedCache<V extends { bytes: number }>(maxBytes: number) {
  const entries = new Map<string, V>();
  let bytes = 0;
  const remove = (key: string) => {
    const found = entries.get(key);
    if (!found) return;
    entries.delete(key);
    bytes -= found.bytes;
  };
  return {
    get(key: string): V | undefined {
      const found = entries.get(key);
      if (found) {
        // Most recently used last: the first key is the one to drop when full.
        entries.delete(key);
        entries.set(key, found);
      }
      return found;
    },
    set(key: string, value: V): boolean {
      remove(key);
      if (value.bytes > maxBytes / 8) return false;
      entries.set(key, value);
      bytes += value.bytes;
      for (const oldest of entries.keys()) {
        if (bytes <= maxBytes) break;
        remove(oldest);
      }
      return true;
    },
    delete: remove,
    get size() {
      return entries.size;
    },
    get bytes() {
      return bytes;
    },
  };
}
