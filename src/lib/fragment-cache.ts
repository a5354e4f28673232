import type { ChangeFeed } from '../db/change-feed.ts';

/**
 * What a page shows from the database, made once and kept until the database says something
 * it may depend on has changed (db/change-feed.ts), for pages that are the same for everyone
 * allowed to see them (an organiser's list of registrations, say). The route checks who may see
 * it before asking; the key must name everything the value depends on. With no feed, or while
 * the feed is not listening, every call makes the value afresh.
 */
export interface FragmentCache {
  get<T>(key: string, make: () => Promise<T>): Promise<T>;
}

interface Kept {
  generation: number;
  storedAt: number;
  value: unknown;
}

export function createFragmentCache(feed: ChangeFeed | undefined, opts: { maxEntries?: number; maxAgeMs?: number } = {}): FragmentCache {
  const maxEntries = opts.maxEntries ?? 500;
  const maxAgeMs = opts.maxAgeMs ?? 60_000;
  const kept = new Map<string, Kept>();
  return {
    async get<T>(key: string, make: () => Promise<T>): Promise<T> {
      if (!feed?.live) return make();
      const generation = feed.generation;
      const found = kept.get(key);
      if (found && found.generation === generation && Date.now() - found.storedAt <= maxAgeMs) {
        kept.delete(key);
        kept.set(key, found);
        return found.value as T;
      }
      const value = await make();
      // Kept only if nothing changed while it was being made.
      if (feed.live && feed.generation === generation) {
        kept.delete(key);
        kept.set(key, { generation, storedAt: Date.now(), value });
        for (const oldest of kept.keys()) {
          if (kept.size <= maxEntries) break;
          kept.delete(oldest);
        }
      }
      return value;
    },
  };
}
