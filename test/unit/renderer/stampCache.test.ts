import { describe, expect, it } from 'vitest';
import type { CallArgs, CallName, SkysiftBridge, WireTriplet } from '../../../src/shared/contract';
import { LruMap, StampCache } from '../../../src/renderer/src/desk/stamps/stampCache';

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
function wire(id: string): WireTriplet {
  const img = { width: 2, height: 2, data: b64(new Uint8Array(16)), mask: b64(new Uint8Array([1, 1, 1, 0])) };
  return { id, search: img, template: null, difference: img };
}

function countingBridge() {
  const calls: string[][] = [];
  const bridge: SkysiftBridge = {
    invoke: async <N extends CallName>(call: N, args: CallArgs<N>) => {
      const ids = (args as CallArgs<'candidatesStamps'>).ids;
      calls.push(ids);
      return ids.map(wire) as never;
    },
    on: () => () => undefined,
  };
  return { bridge, calls };
}

describe('the stamp cache', () => {
  it('evicts the least recently used entry', () => {
    const m = new LruMap<string, number>(2);
    m.set('a', 1);
    m.set('b', 2);
    m.get('a');
    m.set('c', 3);
    expect(m.has('a')).toBe(true);
    expect(m.has('b')).toBe(false);
    expect(m.size).toBe(2);
  });
  it('prefetches a window in calls of at most 64 ids, never asking twice for one in flight', async () => {
    const { bridge, calls } = countingBridge();
    const cache = new StampCache(bridge, 500);
    const ids = Array.from({ length: 100 }, (_, i) => `c${i}`);
    const first = cache.prefetch(ids);
    const again = cache.prefetch(ids.slice(50, 70));
    await Promise.all([first, again]);
    expect(calls.map((c) => c.length)).toEqual([64, 36]);
    await cache.prefetch(ids.slice(0, 10));
    expect(calls.length).toBe(2);
    const t = cache.peek('c99')!;
    expect(t.template).toBeNull();
    expect(Array.from(t.search.mask)).toEqual([1, 1, 1, 0]);
  });
  it('tells listeners which triplets arrived', async () => {
    const { bridge } = countingBridge();
    const cache = new StampCache(bridge);
    const got: string[] = [];
    cache.onArrive((id) => got.push(id));
    await cache.prefetch(['x', 'y']);
    expect(got).toEqual(['x', 'y']);
  });
});
