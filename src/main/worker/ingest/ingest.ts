/**
 * Ingest: find what is under the chosen path, decode it unit by unit, and append it to the
 * workspace in atomic chunks. One bad file never stops the rest: it becomes a line of the report.
 * Cancel keeps everything committed so far; starting again skips what is already in the catalog.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { IngestReport } from '../../../shared/contract';
import type { Given } from '../../../shared/candidate';
import type { NewCandidate, PartWriter, Workspace } from '../../catalog/workspace';
import { parseCsvRows } from '../../stamps/csv';
import { DecodePool, bundledDecoder, defaultDecoderThreads } from './decodePool';
import { avroUnits } from '../../stamps/sources/avroAlerts';
import { AUTOSCAN_LABELS_RE, desUnits, readAutoscanLabels } from '../../stamps/sources/desAutoscan';
import { isManifestHeader, manifestUnits } from '../../stamps/sources/manifest';
import {
  errorMessage,
  namedOnce,
  tripletFailed,
  type IngestUnit,
  type UnitError,
  type UnitResult,
} from '../../stamps/sources/types';
import { listFiles } from '../../stamps/sources/walk';

export interface IngestOptions {
  onProgress?: (done: number, total: number, message: string) => void;
  signal?: AbortSignal;
  /** Candidates per committed chunk. */
  chunkSize?: number;
  /**
   * Units per slice: decoded together (one batch for a decoder thread, or file reads that overlap
   * in-process) and appended in order. Progress and cancel are checked between slices.
   */
  concurrency?: number;
  /**
   * The built decoder thread entry (out/main/ingestDecoder.js); by default the one beside the running
   * bundle. null, or none found (running from the TS sources), decodes in-process.
   */
  decoder?: string | null;
  /** Decoder threads (default: one per core). */
  threads?: number;
  /** Refuse a folder holding more files than this (default: listFiles' 5,000,000). */
  maxFiles?: number;
}

/** A slice's results; `buffer`: the decoder thread's buffer their packed records are views of. */
interface Slice {
  results: UnitResult[];
  buffer?: ArrayBuffer;
}

/** Below this many units, starting threads costs more than it saves. */
const MIN_POOL_UNITS = 64;

async function firstLine(file: string): Promise<string[]> {
  const handle = await fs.open(file, 'r');
  try {
    const buf = Buffer.alloc(8192);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    const text = buf.subarray(0, bytesRead).toString('utf8');
    const rows = parseCsvRows(text.split(/\r?\n/).find((l) => l && !l.startsWith('#')) ?? '', file);
    return rows[0]?.cells ?? [];
  } finally {
    await handle.close();
  }
}

/** Everything to ingest under `input` (a folder, a manifest CSV or one .avro file). */
export async function planIngest(
  input: string,
  opts: { maxFiles?: number } = {},
): Promise<{ units: IngestUnit[]; errors: UnitError[] }> {
  let stat;
  try {
    stat = await fs.stat(input);
  } catch {
    throw new Error(`${input}: no such file or folder`);
  }
  if (stat.isFile()) {
    if (/\.csv$/i.test(input)) return manifestUnits(input);
    if (/\.avro$/i.test(input)) return { units: avroUnits([input]), errors: [] };
    throw new Error(`${input}: not a folder, a manifest (.csv) or an alert packet (.avro)`);
  }
  const files = await listFiles(input, opts.maxFiles);
  const units: IngestUnit[] = [];
  const errors: UnitError[] = [];
  const labels = new Map<string, Given>();
  const csvs = files.filter((f) => /\.csv$/i.test(f));
  for (const f of csvs.filter((f) => AUTOSCAN_LABELS_RE.test(path.basename(f)))) {
    // One broken label file (e.g. a quote never closed) is one line of the report, not the end of ingest.
    try {
      const r = await readAutoscanLabels(f);
      errors.push(...r.errors);
      for (const [id, g] of r.given) labels.set(id, g);
    } catch (e) {
      errors.push({ file: f, reason: errorMessage(e) });
    }
  }
  const des = desUnits(files, labels);
  units.push(...des.units);
  errors.push(...des.errors);
  units.push(...avroUnits(files.filter((f) => /\.avro$/i.test(f))));
  for (const f of csvs.filter((f) => !AUTOSCAN_LABELS_RE.test(path.basename(f)))) {
    try {
      if (!isManifestHeader(await firstLine(f))) continue;
    } catch {
      continue;
    }
    try {
      const m = await manifestUnits(f);
      units.push(...m.units);
      errors.push(...m.errors);
    } catch (e) {
      errors.push({ file: f, reason: errorMessage(e) });
    }
  }
  return { units, errors };
}

export async function runIngest(
  ws: Workspace,
  input: string,
  opts: IngestOptions = {},
): Promise<IngestReport> {
  const chunkSize = opts.chunkSize ?? 2000;
  const report: IngestReport = {
    folder: path.resolve(input),
    added: 0,
    duplicates: 0,
    perSource: {},
    rejected: [],
    cancelled: false,
  };
  opts.onProgress?.(0, 0, `looking for stamps under ${input}`);
  const plan = await planIngest(input, { maxFiles: opts.maxFiles });
  report.rejected.push(...plan.errors.map(namedOnce));

  // Resume: skip what a previous (cancelled or interrupted) run already committed.
  const doneAvro = new Set<string>();
  // Only the parts that hold alert packets are read: a night of FITS triplets reads none.
  if (plan.units.some((u) => u.source === 'avro'))
    for (const e of ws.entriesOfSource('avro')) doneAvro.add(e.origin.difference.split('#')[0]);
  const todo = plan.units.filter((u) =>
    u.ids
      ? !u.ids.every((id) => ws.has(id))
      : !(u.source === 'avro' && doneAvro.has(u.key.slice('avro:'.length))),
  );
  const skipped = plan.units.length - todo.length;
  const total = todo.length;
  let done = 0;
  const seen = new Set<string>();

  // Parts of exactly chunkSize candidates (so parts do not depend on the decoder), each written
  // while it fills: its records go to the disk as they decode, and landing it (fsync, catalog part,
  // renames) overlaps with decoding the next one. Parts land in order.
  let part: PartWriter | null = null;
  let landing: Promise<void> = Promise.resolve();
  const land = async (p: PartWriter) => {
    const previous = landing;
    landing = (async () => {
      try {
        await previous;
      } catch (e) {
        await p.abort();
        throw e;
      }
      const added = await p.commit();
      report.added += added.length;
      for (const e of added) report.perSource[e.source] = (report.perSource[e.source] ?? 0) + 1;
    })();
    // Awaited before the next landing or at the end; this only keeps a failure from counting as unhandled.
    landing.catch(() => {});
    // One part landing at a time: a second waits for the first, as the disk would make it anyway.
    await previous;
  };
  // Queues the records; returns a promise for each part they went to, settled once they are written.
  const store = async (fresh: NewCandidate[]): Promise<Promise<void>[]> => {
    const writes: Promise<void>[] = [];
    for (let k = 0; k < fresh.length;) {
      part ??= await ws.openPart();
      const take = fresh.slice(k, k + chunkSize - part.count);
      await part.add(take);
      writes.push(part.written());
      k += take.length;
      if (part.count >= chunkSize) {
        const full = part;
        part = null;
        await land(full);
      }
    }
    return writes;
  };

  const decoder = opts.decoder === undefined ? bundledDecoder() : opts.decoder;
  const threads = opts.threads ?? defaultDecoderThreads();
  const pool =
    decoder && threads > 0 && todo.filter((u) => u.triplet).length >= MIN_POOL_UNITS
      ? new DecodePool(decoder, threads)
      : null;
  const sliceSize = opts.concurrency ?? (pool ? 64 : 16);
  // Slices in flight beyond the one being appended: enough to keep every decoder thread busy.
  const ahead = pool ? 2 * threads : 0;
  let stopped = false;

  const inProcess = (u: IngestUnit): Promise<UnitResult> =>
    u.decode().catch((e) => ({ candidates: [], errors: [{ file: u.key, reason: errorMessage(e) }] }));
  // Buffers of decoded slices whose records are written, handed back to the decoder threads.
  const spare: ArrayBuffer[] = [];
  const decodeSlice = async (slice: IngestUnit[]): Promise<Slice> => {
    const tasks = pool ? slice.filter((u) => u.triplet) : [];
    if (tasks.length === 0) return { results: await Promise.all(slice.map(inProcess)) };
    let decoded;
    try {
      decoded = await pool!.decode(
        tasks.map((u) => u.triplet!.files),
        spare.pop(),
      );
    } catch {
      // A dead decoder thread costs speed, not results: decode its slices here instead.
      return { results: stopped ? [] : await Promise.all(slice.map(inProcess)) };
    }
    let k = 0;
    const results = await Promise.all(
      slice.map((u): UnitResult | Promise<UnitResult> => {
        if (!u.triplet) return inProcess(u);
        const d = decoded.results[k++];
        if ('error' in d) return tripletFailed(u.triplet, d.error);
        try {
          return { candidates: [u.triplet.finish(d)], errors: [] };
        } catch (e) {
          return tripletFailed(u.triplet, errorMessage(e));
        }
      }),
    );
    return { results, buffer: decoded.buffer };
  };

  const inFlight: Promise<Slice>[] = [];
  let next = 0;
  try {
    while (done < total) {
      if (opts.signal?.aborted) {
        report.cancelled = true;
        break;
      }
      while (next < total && inFlight.length <= ahead) {
        inFlight.push(decodeSlice(todo.slice(next, next + sliceSize)));
        next += sliceSize;
      }
      const { results, buffer } = await inFlight.shift()!;
      const fresh: NewCandidate[] = [];
      for (const r of results) {
        report.rejected.push(...r.errors.map(namedOnce));
        for (const c of r.candidates) {
          if (seen.has(c.id) || ws.has(c.id)) {
            report.duplicates++;
            continue;
          }
          seen.add(c.id);
          fresh.push(c);
        }
      }
      done += results.length;
      const written = await store(fresh);
      // Nothing reads the slice's records once they are written: their buffer goes back to a thread.
      if (buffer) void Promise.all(written).then(() => spare.push(buffer));
      opts.onProgress?.(
        done,
        total,
        skipped ? `${skipped} already ingested, skipped` : `${report.rejected.length} rejected so far`,
      );
    }
  } catch (e) {
    // A part half filled when something failed is dropped (what landed before stays).
    await (part as PartWriter | null)?.abort();
    throw e;
  } finally {
    // Slices still decoding after a cancel are dropped: a resumed run decodes them again.
    stopped = true;
    await pool?.close();
  }
  // What is decoded when the run ends or is cancelled lands as a last, smaller part.
  if (part) await land(part);
  await landing;
  return report;
}
