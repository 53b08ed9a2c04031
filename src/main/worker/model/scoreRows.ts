/**
 * The unit of scoring work that runs off the main thread: a run of records of one packed stamp part
 * (catalog order), read with one positioned read, decoded and preprocessed into a fresh Float32Array
 * of model rows. Fresh, so that a worker can hand its buffer over (transfer) instead of copying it.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { TripletScratch, viewTriplet } from '../../catalog/stampPack';
import type { ModelSpec } from './architectures/spec';
import { preprocessInto, stampInputLength } from './preprocess';
import type { NightScale } from './injection/transform';

export interface RowsJob {
  /** The part's packed stamps (stamps/part-NNNNNN.bin). */
  file: string;
  /** [offset, length] of each record, ascending and contiguous or not. */
  spans: [number, number][];
  spec: ModelSpec;
  /** The night's template blur and resampling (seeing.ts); absent: as they are. */
  scale?: NightScale;
}

/**
 * Decodes and preprocesses the job's records into `out` (or a fresh buffer when it is absent or
 * too small), row i = span i. Returns exactly the job's rows: a view of `out`'s first rows.
 */
export function computeRows(job: RowsJob, out?: Float32Array): Float32Array {
  const n = job.spans.length;
  const rowLength = stampInputLength(job.spec);
  const rows =
    out && out.length >= n * rowLength ? out.subarray(0, n * rowLength) : new Float32Array(n * rowLength);
  if (n === 0) return rows;
  const start = job.spans[0][0];
  const end = Math.max(...job.spans.map(([o, l]) => o + l));
  // One read for the whole run: the records of a batch sit side by side in the part file.
  const bytes = readBuffer(end - start);
  const fd = openSync(job.file, 'r');
  try {
    let got = 0;
    while (got < bytes.length) {
      const r = readSync(fd, bytes, got, bytes.length - got, start + got);
      if (r === 0) break;
      got += r;
    }
    if (got !== bytes.length)
      throw new Error(`${job.file}: truncated (${start + got} of ${end} bytes); re-ingest its files`);
  } finally {
    closeSync(fd);
  }
  job.spans.forEach(([offset, length], i) => {
    let triplet;
    try {
      // Views of the read bytes (no arrays per image): used up by preprocessInto before the next.
      triplet = viewTriplet(bytes.subarray(offset - start, offset - start + length), scratch);
    } catch (e) {
      throw new Error(`${job.file}: record at byte ${offset}: ${(e as Error).message}; re-ingest its files`);
    }
    preprocessInto(job.spec, triplet, rows, i, job.scale);
  });
  return rows;
}

const scratch = new TripletScratch();
let readBytes = Buffer.alloc(0);

/**
 * The read buffer, reused from run to run (a batch's records are ~10 MB: a fresh buffer each time
 * costs its page faults); nothing of it outlives computeRows, which copies out what it keeps.
 */
function readBuffer(n: number): Buffer {
  if (readBytes.length < n) readBytes = Buffer.allocUnsafeSlow(Math.max(n, 2 * readBytes.length));
  return readBytes.subarray(0, n);
}
