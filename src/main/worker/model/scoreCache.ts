/**
 * Preprocessed model rows of a night, cached per catalog part so that scoring the night again
 * (a retrain re-scores it, a comparison scores it with another version of the same input spec)
 * skips decoding and preprocessing, which cost more than inference itself.
 *
 *   cache/rows-<preprocessing>-<H>x<W>-<channels>/part-NNNNNN.rows
 *
 * One file per catalog part, little-endian: "SKR1", u32 format, u32 rows, u32 floats per row,
 * u32 checksum (FNV-1a over the 32-bit words of everything after the header), u32 pad, 32-byte
 * fingerprint (SHA-256 of the input spec, the part's entries and its stamp file's size and mtime),
 * f64 bytes of row data, pad to 128 bytes; then the rows, each packed by the box that holds its
 * pixels (rowsWindow.ts: a resampled night's zero border is not stored); then rows + 1 f64 offsets
 * of the packed rows within the data. A fingerprint that differs (the catalog part or the spec
 * changed), a size, index or checksum that does not match (a damaged file) make the part compute
 * again and its file be rewritten, with one log line saying why: the cache can cost time, never a
 * wrong score or a crash.
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  statfsSync,
  write,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import type { CatalogEntry } from '../../catalog/workspace';
import { workspaceLayout } from '../../catalog/layout';
import type { ModelSpec } from './architectures/spec';
import { stampInputLength } from './preprocess';
import { cacheKey } from './training/stampCache';
import type { NightScale } from './injection/transform';
import { BOX_BYTES, packRows, unpackRows, type RowShape } from './rowsWindow';

const MAGIC = 0x31524b53; // "SKR1" read as little-endian u32
/** Bump when the file layout or preprocess.ts's arithmetic changes: older files then rebuild. */
const FORMAT = 2;
const HEADER_BYTES = 128;

export function rowsCacheDir(wsDir: string, spec: ModelSpec, scale: NightScale | number = 1): string {
  return path.join(workspaceLayout(wsDir).cache, `rows-${cacheKey(spec, scale)}`);
}

/** FNV-1a over 32-bit words, continued from `h`: cheap enough to check every read. */
export function checksumWords(words: Int32Array, h = 0x811c9dc5): number {
  for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i], 16777619);
  return h >>> 0;
}

function fingerprint(
  spec: ModelSpec,
  scale: NightScale | number,
  part: number,
  entries: readonly Pick<CatalogEntry, 'id' | 'stamp'>[],
  bin: string,
): Buffer {
  const st = statSync(bin);
  const hash = createHash('sha256');
  hash.update(`${FORMAT}|${cacheKey(spec, scale)}|${part}|${st.size}|${st.mtimeMs}|${entries.length}\n`);
  for (const e of entries) hash.update(`${e.id}:${e.stamp.offset}:${e.stamp.length}\n`);
  return hash.digest();
}

/** The most a part file of `rows` rows can take: rows with no zero border at all. */
export function partBudgetBytes(spec: ModelSpec, rows: number): number {
  return HEADER_BYTES + rows * (BOX_BYTES + stampInputLength(spec) * 4 + 8) + 8;
}

/** The layout of a spec's rows (rowsWindow.ts packs and unpacks by it). */
export function rowShape(spec: ModelSpec): RowShape {
  return { h: spec.inputSize[0], w: spec.inputSize[1], c: spec.channels.length };
}

/** A validated part file, read range by range. */
export class CachedPart {
  private closed = false;
  private constructor(
    private readonly fd: number,
    readonly file: string,
    readonly rows: number,
    private readonly shape: RowShape,
    /** Byte offset of each packed row within the data, and the data's end. */
    private readonly offsets: Float64Array,
  ) {}

  /**
   * Opens the part's cache file, or says why it cannot be used: null when there is none,
   * { stale | damaged: why } when it exists but does not match.
   */
  static open(
    file: string,
    spec: ModelSpec,
    print: Buffer,
    rows: number,
  ): CachedPart | null | { stale: string } | { damaged: string } {
    if (!existsSync(file)) return null;
    const shape = rowShape(spec);
    const rowFloats = stampInputLength(spec);
    const fd = openSync(file, 'r');
    let keep = false;
    try {
      const head = Buffer.alloc(HEADER_BYTES);
      const got = readSync(fd, head, 0, HEADER_BYTES, 0);
      if (got < HEADER_BYTES || head.readUInt32LE(0) !== MAGIC)
        return { damaged: 'not a rows cache file (bad header)' };
      if (head.readUInt32LE(4) !== FORMAT)
        return { stale: `written by cache format ${head.readUInt32LE(4)}` };
      if (!head.subarray(24, 56).equals(print))
        return { stale: 'the catalog part or the model input changed' };
      if (head.readUInt32LE(8) !== rows || head.readUInt32LE(12) !== rowFloats)
        return { damaged: 'row count does not match its header' };
      const dataBytes = head.readDoubleLE(56);
      const size = fstatSync(fd).size;
      const want = HEADER_BYTES + dataBytes + (rows + 1) * 8;
      if (size !== want) return { damaged: `${size} bytes where ${want} were expected (truncated?)` };
      // Stream the data and the index once through the checksum (1 MB at a time: memory stays flat).
      const chunk = new Int32Array(1 << 18);
      const bytes = Buffer.from(chunk.buffer);
      let h = 0x811c9dc5;
      for (let pos = HEADER_BYTES; pos < size;) {
        const n = readSync(fd, bytes, 0, Math.min(bytes.length, size - pos), pos);
        if (n <= 0) return { damaged: 'short read' };
        h = checksumWords(chunk.subarray(0, n >> 2), h);
        pos += n;
      }
      if (h !== head.readUInt32LE(16)) return { damaged: 'checksum mismatch' };
      const offsets = new Float64Array(rows + 1);
      const indexBytes = new Uint8Array(offsets.buffer);
      if (readSync(fd, indexBytes, 0, indexBytes.length, HEADER_BYTES + dataBytes) !== indexBytes.length)
        return { damaged: 'short read of the row index' };
      const most = BOX_BYTES + rowFloats * 4;
      for (let r = 0; r < rows; r++) {
        const len = offsets[r + 1] - offsets[r];
        if (!(len >= BOX_BYTES && len <= most && len % 4 === 0))
          return { damaged: `row index: row ${r} is ${len} bytes long` };
      }
      if (offsets[0] !== 0 || offsets[rows] !== dataBytes)
        return { damaged: 'row index does not span the data' };
      keep = true;
      return new CachedPart(fd, file, rows, shape, offsets);
    } finally {
      if (!keep) closeSync(fd);
    }
  }

  /** Rows [from, from + n) of the part into a fresh buffer. */
  read(from: number, n: number): Float32Array {
    const { h, w, c } = this.shape;
    const out = new Float32Array(n * h * w * c);
    const start = HEADER_BYTES + this.offsets[from];
    // Aligned for unpackRows' views: never a slice of Buffer's shared pool.
    const bytes = Buffer.allocUnsafeSlow(this.offsets[from + n] - this.offsets[from]);
    let got = 0;
    while (got < bytes.length) {
      const r = readSync(this.fd, bytes, got, bytes.length - got, start + got);
      if (r <= 0) throw new Error(`${this.file}: short read (changed while scoring?)`);
      got += r;
    }
    unpackRows(bytes, n, this.shape, out, `${this.file} (rows ${from}-${from + n - 1})`);
    return out;
  }

  /** Idempotent: the last batch of a part and a cancelled run may both close it. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}

/** fs.write until every byte is written (a positioned write may be short). */
function writeAll(fd: number, bytes: Buffer, position: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const step = (done: number) =>
      write(fd, bytes, done, bytes.length - done, position + done, (err, n) => {
        if (err) reject(err);
        else if (done + n < bytes.length) step(done + n);
        else resolve();
      });
    step(0);
  });
}

/**
 * Writes one part's rows as they arrive, in order, packed by their boxes; the file appears
 * (renamed) only when complete. Writes go through libuv's thread pool, one in flight: the scoring
 * thread does not wait on the disk, and a slow disk holds back at most one batch's rows. A failed
 * write (a full disk) costs the part's cache file, with a log line, never the scoring.
 */
export class PartWriter {
  private readonly fd: number;
  private readonly tmp: string;
  private written = 0;
  private dataBytes = 0;
  private readonly offsets: Float64Array;
  private h = 0x811c9dc5;
  private inFlight: Promise<void> = Promise.resolve();
  private failed: Error | null = null;
  private closed = false;
  private told = false;

  constructor(
    readonly file: string,
    private readonly print: Buffer,
    readonly rows: number,
    private readonly shape: RowShape,
    private readonly log: (line: string) => void,
    /** Told the file's final size once written (0 when it was not), for the cache's budget. */
    private readonly settled: (bytes: number) => void = () => {},
  ) {
    mkdirSync(path.dirname(file), { recursive: true });
    this.tmp = `${file}.tmp-${process.pid}`;
    this.fd = openSync(this.tmp, 'w');
    this.offsets = new Float64Array(rows + 1);
  }

  /**
   * Packs the rows (the buffer is free again when this returns) and queues their write; resolves
   * when the write queued before it is done.
   */
  append(data: Float32Array): Promise<void> {
    const { h, w, c } = this.shape;
    const n = data.length / (h * w * c);
    if (this.written + n > this.rows)
      throw new RangeError(`${this.file}: ${this.written + n} rows appended to a part of ${this.rows}`);
    const { bytes, ends } = packRows(data, n, this.shape);
    this.h = checksumWords(new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2), this.h);
    const position = HEADER_BYTES + this.dataBytes;
    for (let r = 0; r < n; r++) this.offsets[this.written + r + 1] = this.dataBytes + ends[r];
    this.written += n;
    this.dataBytes += bytes.length;
    return this.queue(bytes, position);
  }

  private queue(bytes: Buffer, position: number): Promise<void> {
    const previous = this.inFlight;
    this.inFlight = previous.then(() =>
      this.failed
        ? undefined
        : writeAll(this.fd, bytes, position).catch((e: Error) => void (this.failed ??= e)),
    );
    return previous;
  }

  get complete(): boolean {
    return this.written === this.rows;
  }

  /** Index, then the header, then the rename: a crash leaves only a .tmp file, never a half-written part. */
  async finish(): Promise<void> {
    const index = Buffer.from(this.offsets.buffer);
    this.h = checksumWords(new Int32Array(this.offsets.buffer), this.h);
    void this.queue(index, HEADER_BYTES + this.dataBytes);
    await this.inFlight;
    if (this.failed) {
      this.log(`score cache ${this.file}: not written (${this.failed.message}); scoring goes on without it`);
      return this.abandon();
    }
    const head = Buffer.alloc(HEADER_BYTES);
    head.writeUInt32LE(MAGIC, 0);
    head.writeUInt32LE(FORMAT, 4);
    head.writeUInt32LE(this.rows, 8);
    head.writeUInt32LE(this.shape.h * this.shape.w * this.shape.c, 12);
    head.writeUInt32LE(this.h, 16);
    this.print.copy(head, 24);
    head.writeDoubleLE(this.dataBytes, 56);
    try {
      writeSync(this.fd, head, 0, HEADER_BYTES, 0);
      this.closed = true;
      closeSync(this.fd);
      renameSync(this.tmp, this.file);
      this.tell(HEADER_BYTES + this.dataBytes + index.length);
    } catch (e) {
      this.log(`score cache ${this.file}: not written (${(e as Error).message}); scoring goes on without it`);
      await this.abandon();
    }
  }

  async abandon(): Promise<void> {
    await this.inFlight;
    if (!this.closed) closeSync(this.fd);
    this.closed = true;
    rmSync(this.tmp, { force: true });
    this.tell(0);
  }

  private tell(bytes: number): void {
    if (!this.told) this.settled(bytes);
    this.told = true;
  }
}

export interface RowsCacheOptions {
  /** Stop writing new part files past this many bytes in the folder (default: min(8 GiB, free disk / 4)). */
  maxBytes?: number;
  log?: (line: string) => void;
  /** The night's template blur and resampling (seeing.ts): its rows are cached apart from others. */
  scale?: NightScale | number;
}

/** The cache of one workspace for one input spec: which parts are usable, which to write. */
export class RowsCache {
  readonly dir: string;
  private bytes = 0;
  private readonly maxBytes: number;
  private full = false;

  constructor(
    private readonly wsDir: string,
    private readonly spec: ModelSpec,
    private readonly opts: RowsCacheOptions = {},
  ) {
    this.dir = rowsCacheDir(wsDir, spec, opts.scale);
    try {
      if (existsSync(this.dir)) {
        for (const n of readdirSync(this.dir)) {
          // Left by a run that crashed mid-part: never valid, only space.
          if (n.includes('.tmp-')) rmSync(path.join(this.dir, n), { force: true, recursive: true });
          else this.bytes += statSync(path.join(this.dir, n)).size;
        }
      }
    } catch (e) {
      // Unreadable (not a folder, no permission): parts will fail to open or write, each logged.
      this.log(`score cache ${this.dir}: ${(e as Error).message}`);
    }
    this.maxBytes = opts.maxBytes ?? defaultMaxBytes(wsDir);
  }

  private log(line: string): void {
    (this.opts.log ?? ((l: string) => console.warn(l)))(line);
  }

  /**
   * Removes the files of parts the night no longer holds (a part moved aside as damaged, a night
   * re-ingested into fresh parts): nothing would ever read them, and they count against the budget.
   */
  prune(isLive: (part: number) => boolean): void {
    let removed = 0;
    let freed = 0;
    try {
      if (!existsSync(this.dir)) return;
      for (const n of readdirSync(this.dir)) {
        const m = /^part-(\d{6})\.rows$/.exec(n);
        if (!m || isLive(Number(m[1]))) continue;
        const file = path.join(this.dir, n);
        const size = statSync(file).size;
        rmSync(file, { force: true });
        removed++;
        freed += size;
      }
    } catch (e) {
      this.log(`score cache ${this.dir}: ${(e as Error).message}`);
    }
    this.bytes -= freed;
    if (removed > 0)
      this.log(
        `score cache ${this.dir}: removed ${removed} file(s) of catalog parts no longer in the night ` +
          `(${(freed / 2 ** 20).toFixed(1)} MiB)`,
      );
  }

  partFile(part: number): string {
    return path.join(this.dir, `part-${String(part).padStart(6, '0')}.rows`);
  }

  /**
   * The part's cached rows when valid; otherwise a writer for them (null when the cache is over its
   * budget). `entries` are the part's entries in file order, all of them.
   */
  openPart(
    part: number,
    entries: readonly Pick<CatalogEntry, 'id' | 'stamp'>[],
  ): { hit: CachedPart } | { writer: PartWriter | null } {
    const file = this.partFile(part);
    const bin = path.join(this.wsDir, 'stamps', `part-${String(part).padStart(6, '0')}.bin`);
    const print = fingerprint(this.spec, this.opts.scale ?? 1, part, entries, bin);
    let opened: ReturnType<typeof CachedPart.open>;
    try {
      opened = CachedPart.open(file, this.spec, print, entries.length);
    } catch (e) {
      opened = { damaged: (e as Error).message };
    }
    if (opened instanceof CachedPart) return { hit: opened };
    if (opened) {
      const why = 'stale' in opened ? opened.stale : opened.damaged;
      this.log(
        `score cache ${file}: ${'stale' in opened ? 'out of date' : 'damaged'} (${why}); rebuilding it`,
      );
      try {
        this.bytes -= statSync(file).size;
        rmSync(file, { force: true });
      } catch {
        // Already gone: nothing to reclaim.
      }
    }
    // Held until the part is written, when its file's size replaces it.
    const size = partBudgetBytes(this.spec, entries.length);
    if (this.bytes + size > this.maxBytes) {
      if (!this.full)
        this.log(
          `score cache ${this.dir}: over its ${(this.maxBytes / 2 ** 30).toFixed(1)} GiB budget; ` +
            'further parts are scored without caching',
        );
      this.full = true;
      return { writer: null };
    }
    this.bytes += size;
    try {
      const settled = (bytes: number) => void (this.bytes += bytes - size);
      return {
        writer: new PartWriter(file, print, entries.length, rowShape(this.spec), (l) => this.log(l), settled),
      };
    } catch (e) {
      this.bytes -= size;
      this.log(`score cache ${file}: not written (${(e as Error).message}); scoring goes on without it`);
      return { writer: null };
    }
  }
}

function defaultMaxBytes(wsDir: string): number {
  try {
    const fs = statfsSync(wsDir);
    return Math.min(8 * 2 ** 30, (Number(fs.bavail) * Number(fs.bsize)) / 4);
  } catch {
    return 8 * 2 ** 30;
  }
}
