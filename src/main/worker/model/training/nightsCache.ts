/**
 * The stamp caches of several nights seen as one: training across the home's nights reads rows by
 * "night-qualified" ids (`<k>:<id>`, k the night's index in the list), so two nights may hold the
 * same candidate id without clashing. With one night the ids stay plain, as they are everywhere
 * else (scores, splits of single-night versions).
 */
import type { Workspace } from '../../../catalog/workspace';
import type { ModelSpec } from '../architectures/spec';
import { nightScale } from '../seeing';
import type { NightScale } from '../injection/transform';
import { StampCache } from './stampCache';

import { unqualifyId } from '../../../library/nightIds';

export { qualifyId, unqualifyId } from '../../../library/nightIds';

export class NightsCache {
  private readonly caches: StampCache[];

  /** Use NightsCache.open: each night's rows are preprocessed at that night's scale (seeing.ts). */
  private constructor(
    readonly nights: readonly Workspace[],
    spec: ModelSpec,
    scales: readonly NightScale[],
  ) {
    this.caches = nights.map((ws, k) => new StampCache(ws, spec, scales[k]));
  }

  static async open(nights: readonly Workspace[], spec: ModelSpec): Promise<NightsCache> {
    if (nights.length === 0) throw new Error('no night to read stamps from');
    return new NightsCache(nights, spec, await Promise.all(nights.map((ws) => nightScale(ws, spec))));
  }

  /** Each night's template blur and resampling, in `nights` order. */
  get scales(): NightScale[] {
    return this.caches.map((c) => c.scale);
  }

  get rowLength(): number {
    return this.caches[0].rowLength;
  }

  private byNight(ids: readonly string[]): string[][] {
    const per: string[][] = this.nights.map(() => []);
    for (const q of ids) {
      const { night, id } = unqualifyId(this.nights.length, q);
      per[night].push(id);
    }
    return per;
  }

  async ensure(
    ids: readonly string[],
    onProgress?: (done: number, total: number) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    const per = this.byNight(ids);
    let before = 0;
    for (let k = 0; k < per.length; k++) {
      const offset = before;
      await this.caches[k].ensure(per[k], (d) => onProgress?.(offset + d, ids.length), signal);
      before += per[k].length;
    }
  }

  /** Rows in the order of `ids` ([N, H, W, C]); reads night by night, then puts each row in place. */
  read(ids: readonly string[], out: Float32Array): void {
    if (this.nights.length === 1) return this.caches[0].read(ids, out);
    const row = this.rowLength;
    const one = new Float32Array(row);
    ids.forEach((q, i) => {
      const { night, id } = unqualifyId(this.nights.length, q);
      this.caches[night].read([id], one);
      out.set(one, i * row);
    });
  }
}
