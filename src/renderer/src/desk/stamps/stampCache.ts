/**
 * Decoded stamp triplets in memory, so the next candidate is drawn the moment its key is pressed.
 * `prefetch` asks main for every missing id of a window ahead in ONE call (the contract allows 64),
 * and a least-recently-used bound keeps memory flat over a 100k-candidate night.
 */
import type { SkysiftBridge } from '../../../../shared/contract';
import type { StampTriplet } from '../../../../shared/stamp';
import { wireToStamp } from '../../../../shared/wireStamp';

export const MAX_IDS_PER_CALL = 64;

export class LruMap<K, V> {
  private readonly map = new Map<K, V>();
  constructor(readonly capacity: number) {}
  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      // Re-insert: Map iteration order is insertion order, so the oldest is first.
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }
  has(key: K): boolean {
    return this.map.has(key);
  }
  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as K);
  }
  get size(): number {
    return this.map.size;
  }
}

export class StampCache {
  private readonly cache: LruMap<string, StampTriplet>;
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly listeners = new Set<(id: string) => void>();

  constructor(
    private readonly bridge: SkysiftBridge,
    capacity = 512,
  ) {
    this.cache = new LruMap(capacity);
  }

  peek(id: string): StampTriplet | undefined {
    return this.cache.get(id);
  }

  /** Called with each id whose triplet has just arrived. */
  onArrive(listener: (id: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Fetch whatever of `ids` is neither cached nor on its way, in calls of up to 64 ids. */
  prefetch(ids: readonly string[]): Promise<void> {
    const missing = ids.filter((id) => !this.cache.has(id) && !this.inFlight.has(id));
    const waits: Promise<void>[] = ids
      .filter((id) => this.inFlight.has(id))
      .map((id) => this.inFlight.get(id)!);
    for (let i = 0; i < missing.length; i += MAX_IDS_PER_CALL) {
      const chunk = missing.slice(i, i + MAX_IDS_PER_CALL);
      const p = this.bridge.invoke('candidatesStamps', { ids: chunk }).then(
        (wires) => {
          for (const w of wires) {
            this.cache.set(w.id, {
              search: wireToStamp(w.search),
              template: w.template ? wireToStamp(w.template) : null,
              difference: wireToStamp(w.difference),
            });
          }
          for (const id of chunk) this.inFlight.delete(id);
          for (const w of wires) for (const l of this.listeners) l(w.id);
        },
        (e: unknown) => {
          for (const id of chunk) this.inFlight.delete(id);
          throw e;
        },
      );
      for (const id of chunk) this.inFlight.set(id, p);
      waits.push(p);
    }
    return Promise.all(waits).then(() => undefined);
  }
}
