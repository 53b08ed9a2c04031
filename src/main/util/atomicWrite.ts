import {
  promises as fs,
  writeFileSync,
  renameSync,
  openSync,
  fsyncSync,
  closeSync,
  rmSync,
  readdirSync,
  statSync,
} from 'node:fs';
import path from 'node:path';

/**
 * Write a file so that a crash leaves either the old or the new content, never half of one:
 * write a temp file beside it, fsync, rename over the target. The one atomic write of the code base
 * (workspace, registry, jobs, home, model exports, demo stamps).
 */
export interface AtomicWriteOptions {
  /**
   * fsync the temp file before the rename (default true). Only files that are regenerated from a
   * seed when lost may skip it: the demo night's FITS stamps, 3 per candidate, where fsync cut the
   * write rate from ~2-5k to ~200 files/s here (a 2000-candidate night: +30 s on first run).
   */
  fsync?: boolean;
}

let counter = 0;
/** Beside the target (same file system, so rename is atomic); unique per call, even within 1 ms. */
function tmpName(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${counter++}.tmp`);
}

const TMP_NAME = /^\..+\.(\d+)\.\d+\.tmp$/;
/** A temp file is stale only when untouched this long as well: a writer on another host has a pid that means nothing here. */
export const STALE_TMP_AGE_MS = 10 * 60_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, under another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temp files that writes cut short (a crash, a kill) left in `dirs`: those whose
 * process is gone and that nobody touched for STALE_TMP_AGE_MS. A part file cut short while
 * filling can be tens of MB. Returns what went, for the caller to say; a file that cannot be
 * removed (a read-only night) is left.
 */
export function sweepStaleTemps(dirs: readonly string[], now = Date.now()): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      const m = TMP_NAME.exec(name);
      if (!m || Number(m[1]) === process.pid || alive(Number(m[1]))) continue;
      const full = path.join(dir, name);
      try {
        const st = statSync(full);
        if (!st.isFile() || now - st.mtimeMs < STALE_TMP_AGE_MS) continue;
        rmSync(full);
        files++;
        bytes += st.size;
      } catch {
        // Gone already, or not ours to remove.
      }
    }
  }
  return { files, bytes };
}

/** What a file is written from: text, bytes, or pieces written in order with one writev. */
export type FileData = string | Uint8Array | readonly Uint8Array[];

/** A temp file written (and fsynced) beside its target, not yet in place. */
export interface StagedFile {
  /** Rename it over the target. */
  commit(): Promise<void>;
  /** Remove it (the target is left as it was). */
  discard(): Promise<void>;
}

async function writeAll(handle: fs.FileHandle, data: FileData, file: string): Promise<void> {
  if (typeof data === 'string' || data instanceof Uint8Array) return handle.writeFile(data);
  // Pieces go out as they are (no concatenated copy); libuv splits past IOV_MAX and retries short writes.
  const total = data.reduce((n, b) => n + b.byteLength, 0);
  const { bytesWritten } =
    data.length === 0 ? { bytesWritten: 0 } : await handle.writev(data as Uint8Array[]);
  if (bytesWritten !== total) throw new Error(`${file}: wrote ${bytesWritten} of ${total} bytes`);
}

/** A written temp file as a StagedFile for `file`. */
function staged(tmp: string, file: string): StagedFile {
  return {
    async commit() {
      try {
        await fs.rename(tmp, file);
      } catch (err) {
        await fs.rm(tmp, { force: true });
        throw err;
      }
    },
    discard: () => fs.rm(tmp, { force: true }),
  };
}

/**
 * The first half of an atomic write: the temp file written and (by default) fsynced. Several files
 * staged together reach the disk in parallel and are then committed in the order that keeps the
 * on-disk state consistent (e.g. a part's stamps before the catalog part that points into them).
 */
export async function stageFile(
  file: string,
  data: FileData,
  opts: AtomicWriteOptions = {},
): Promise<StagedFile> {
  const tmp = tmpName(file);
  try {
    const handle = await fs.open(tmp, 'w');
    try {
      await writeAll(handle, data, tmp);
      if (opts.fsync !== false) await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
  return staged(tmp, file);
}

/**
 * A temp file beside `file` written piece by piece while its content is still being produced (a
 * part of ingest, while the next records decode), then fsynced and renamed into place like
 * stageFile's. Every `syncEvery` bytes written, the bytes so far are flushed in the background, so
 * that the disk works alongside the producer and the final fsync finds little left to do.
 */
export class GrowingFile {
  /** Bytes appended (queued or written): where the next piece goes. */
  private end = 0;
  /** Bytes written to the file. */
  private written = 0;
  private unsynced = 0;
  private chain: Promise<void> = Promise.resolve();
  private failure: unknown = null;

  private constructor(
    readonly file: string,
    private readonly tmp: string,
    private readonly handle: fs.FileHandle,
    private readonly syncEvery: number,
  ) {}

  static async open(file: string, opts: { syncEvery?: number } = {}): Promise<GrowingFile> {
    const tmp = tmpName(file);
    return new GrowingFile(file, tmp, await fs.open(tmp, 'w'), opts.syncEvery ?? 16 * 1024 * 1024);
  }

  /** Bytes given to append() so far (the file's size once written). */
  get size(): number {
    return this.end;
  }

  /** Bytes given to append() and not yet written: the producer waits in drain() when it runs ahead. */
  get pending(): number {
    return this.end - this.written;
  }

  /** Queues pieces to be written after everything queued before; a failure surfaces at drain() or finish(). */
  append(pieces: readonly Uint8Array[]): void {
    if (this.failure) throw this.failure;
    const bytes = pieces.reduce((n, b) => n + b.byteLength, 0);
    if (bytes === 0) return;
    const at = this.end;
    this.end += bytes;
    this.chain = this.chain.then(async () => {
      if (this.failure) return;
      try {
        const { bytesWritten } = await this.handle.writev(pieces as Uint8Array[], at);
        if (bytesWritten !== bytes) throw new Error(`${this.tmp}: wrote ${bytesWritten} of ${bytes} bytes`);
        this.written += bytes;
        this.unsynced += bytes;
        if (this.unsynced >= this.syncEvery) {
          this.unsynced = 0;
          await this.handle.datasync();
        }
      } catch (e) {
        this.failure ??= e;
      }
    });
  }

  /**
   * Resolves once everything appended so far has been written or has failed (never rejects: a
   * failure surfaces at drain() or finish()): then the pieces' memory may be reused.
   */
  writesDone(): Promise<void> {
    return this.chain;
  }

  /** Resolves once at most `maxPending` bytes wait to be written; rejects if a write failed. */
  async drain(maxPending = 0): Promise<void> {
    while (this.end - this.written > maxPending && !this.failure) await this.chain;
    if (this.failure) throw this.failure;
  }

  /** Everything written and fsynced, the file closed: the first half of an atomic write (stageFile's). */
  async finish(): Promise<StagedFile> {
    try {
      await this.drain();
      await this.handle.sync();
    } catch (e) {
      await this.handle.close().catch(() => {});
      await fs.rm(this.tmp, { force: true });
      throw e;
    }
    await this.handle.close();
    return staged(this.tmp, this.file);
  }

  /** Drops the file (what was queued is still waited for, so nothing writes to it afterwards). */
  async discard(): Promise<void> {
    await this.chain;
    await this.handle.close().catch(() => {});
    await fs.rm(this.tmp, { force: true });
  }
}

export async function writeFileAtomic(
  file: string,
  data: FileData,
  opts: AtomicWriteOptions = {},
): Promise<void> {
  await (await stageFile(file, data, opts)).commit();
}

export function writeFileAtomicSync(
  file: string,
  data: string | Uint8Array,
  opts: AtomicWriteOptions = {},
): void {
  const tmp = tmpName(file);
  try {
    writeFileSync(tmp, data);
    if (opts.fsync !== false) {
      const fd = openSync(tmp, 'r');
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
