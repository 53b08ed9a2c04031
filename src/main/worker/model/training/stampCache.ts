/**
 * A packed cache of preprocessed model inputs, one fixed-size float32 row per candidate, per
 * preprocessing (e.g. standard-51x51-search,template,difference). Training reads random rows from it
 * every epoch instead of re-decoding and re-normalising stamps; the file is read row by row, so a
 * 100k-candidate night never sits in memory as one tensor.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Workspace } from '../../../catalog/workspace';
import { writeFileAtomicSync } from '../../../util/atomicWrite';
import type { ModelSpec } from '../architectures/spec';
import { preprocessInto, stampInputLength } from '../preprocess';
import { AS_THEY_COME, nightScaleOf, type NightScale } from '../injection/transform';

/**
 * Names a preprocessing's rows; a night resampled to the models' seeing, or with its templates
 * blurred to its search images' (seeing.ts), has rows of its own.
 */
export function cacheKey(spec: ModelSpec, scale: NightScale | number = 1): string {
  const { zoom, templateBlur } = nightScaleOf(scale);
  const key = `${spec.preprocessing}-${spec.inputSize[0]}x${spec.inputSize[1]}-${spec.channels.join('.')}`;
  return `${key}${zoom === 1 ? '' : `-zoom${zoom}`}${templateBlur > 0 ? `-tblur${templateBlur}` : ''}`;
}

export class StampCache {
  private rows = new Map<string, number>();
  private readonly rowFloats: number;
  private readonly dataFile: string;
  private readonly indexFile: string;

  constructor(
    private readonly ws: Workspace,
    readonly spec: ModelSpec,
    /** The night's template blur and resampling (seeing.ts nightScale). */
    readonly scale: NightScale = AS_THEY_COME,
  ) {
    this.rowFloats = stampInputLength(spec);
    const base = path.join(ws.dir, 'cache', cacheKey(spec, scale));
    this.dataFile = `${base}.f32`;
    this.indexFile = `${base}.json`;
    if (existsSync(this.indexFile)) {
      const ids = JSON.parse(readFileSync(this.indexFile, 'utf8')) as string[];
      ids.forEach((id, i) => this.rows.set(id, i));
    }
  }

  get rowLength(): number {
    return this.rowFloats;
  }

  has(id: string): boolean {
    return this.rows.has(id);
  }

  /**
   * Add the rows still missing for `ids`. Rows are written at their index before the index file
   * names them, so a crash leaves at worst unnamed bytes that the next run overwrites.
   */
  async ensure(
    ids: readonly string[],
    onProgress?: (done: number, total: number) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    const missing = ids.filter((id) => !this.rows.has(id));
    if (missing.length === 0) return;
    mkdirSync(path.dirname(this.dataFile), { recursive: true });
    const fd = openSync(this.dataFile, existsSync(this.dataFile) ? 'r+' : 'w+');
    const chunk = 512;
    const buf = new Float32Array(chunk * this.rowFloats);
    const order = [...this.rows.keys()];
    let next = order.length;
    let done = 0;
    try {
      let pendingIds: string[] = [];
      const flush = () => {
        if (pendingIds.length === 0) return;
        const bytes = Buffer.from(buf.buffer, 0, pendingIds.length * this.rowFloats * 4);
        writeSync(fd, bytes, 0, bytes.length, next * this.rowFloats * 4);
        for (const id of pendingIds) {
          this.rows.set(id, next++);
          order.push(id);
        }
        writeFileAtomicSync(this.indexFile, JSON.stringify(order));
        pendingIds = [];
      };
      for await (const { entry, triplet } of this.ws.iterateTriplets(missing)) {
        if (signal?.aborted) break;
        preprocessInto(this.spec, triplet, buf, pendingIds.length, this.scale);
        pendingIds.push(entry.id);
        done++;
        if (pendingIds.length === chunk) {
          flush();
          onProgress?.(done, missing.length);
        }
      }
      flush();
      onProgress?.(done, missing.length);
    } finally {
      closeSync(fd);
    }
  }

  /** Read the rows of `ids` into `out` (laid out [N, H, W, C]); throws for an id not cached. */
  read(ids: readonly string[], out: Float32Array): void {
    const fd = openSync(this.dataFile, 'r');
    try {
      const bytes = Buffer.from(out.buffer, out.byteOffset, out.byteLength);
      const rowBytes = this.rowFloats * 4;
      ids.forEach((id, i) => {
        const row = this.rows.get(id);
        if (row === undefined) throw new Error(`stamp cache: ${id} was never cached`);
        const got = readSync(fd, bytes, i * rowBytes, rowBytes, row * rowBytes);
        if (got !== rowBytes)
          throw new Error(
            `stamp cache ${this.dataFile} is truncated at ${id}; delete the cache folder to rebuild it`,
          );
      });
    } finally {
      closeSync(fd);
    }
  }
}
