/**
 * Ingest: find what is under the chosen path, decode it unit by unit, and append it to the
 * workspace in atomic chunks. One bad file never stops the rest: it becomes a line of the report.
 * Cancel keeps everything committed so far; starting again skips what is already in the catalog.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { IngestReport } from '../../shared/contract';
import type { Given } from '../../shared/candidate';
import type { NewCandidate, Workspace } from '../catalog/workspace';
import { parseCsvRows } from './csv';
import { avroUnits } from './sources/avroAlerts';
import { AUTOSCAN_LABELS_RE, desUnits, readAutoscanLabels } from './sources/desAutoscan';
import { isManifestHeader, manifestUnits } from './sources/manifest';
import { errorMessage, type IngestUnit, type UnitError } from './sources/types';
import { listFiles } from './sources/walk';

export interface IngestOptions {
  onProgress?: (done: number, total: number, message: string) => void;
  signal?: AbortSignal;
  /** Candidates per committed chunk. */
  chunkSize?: number;
  /** Units decoded concurrently (file reads overlap; decoding is synchronous). */
  concurrency?: number;
}

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
export async function planIngest(input: string): Promise<{ units: IngestUnit[]; errors: UnitError[] }> {
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
  const files = await listFiles(input);
  const units: IngestUnit[] = [];
  const errors: UnitError[] = [];
  const labels = new Map<string, Given>();
  const csvs = files.filter((f) => /\.csv$/i.test(f));
  for (const f of csvs.filter((f) => AUTOSCAN_LABELS_RE.test(path.basename(f)))) {
    const r = await readAutoscanLabels(f);
    errors.push(...r.errors);
    for (const [id, g] of r.given) labels.set(id, g);
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
    const m = await manifestUnits(f);
    units.push(...m.units);
    errors.push(...m.errors);
  }
  return { units, errors };
}

export async function runIngest(
  ws: Workspace,
  input: string,
  opts: IngestOptions = {},
): Promise<IngestReport> {
  const chunkSize = opts.chunkSize ?? 2000;
  const concurrency = opts.concurrency ?? 16;
  const report: IngestReport = {
    folder: path.resolve(input),
    added: 0,
    duplicates: 0,
    perSource: {},
    rejected: [],
    cancelled: false,
  };
  opts.onProgress?.(0, 0, `looking for stamps under ${input}`);
  const plan = await planIngest(input);
  report.rejected.push(...plan.errors);

  // Resume: skip what a previous (cancelled or interrupted) run already committed.
  const doneAvro = new Set<string>();
  for (const e of ws.list()) if (e.source === 'avro') doneAvro.add(e.origin.difference.split('#')[0]);
  const todo = plan.units.filter((u) =>
    u.ids
      ? !u.ids.every((id) => ws.has(id))
      : !(u.source === 'avro' && doneAvro.has(u.key.slice('avro:'.length))),
  );
  const skipped = plan.units.length - todo.length;
  const total = todo.length;
  let done = 0;
  let pending: NewCandidate[] = [];
  const seen = new Set<string>();

  const flush = async () => {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    const added = await ws.appendPart(batch);
    report.added += added.length;
    for (const e of added) report.perSource[e.source] = (report.perSource[e.source] ?? 0) + 1;
  };

  for (let i = 0; i < todo.length; i += concurrency) {
    if (opts.signal?.aborted) {
      report.cancelled = true;
      break;
    }
    const slice = todo.slice(i, i + concurrency);
    const results = await Promise.all(
      slice.map((u) =>
        u.decode().catch((e) => ({ candidates: [], errors: [{ file: u.key, reason: errorMessage(e) }] })),
      ),
    );
    for (const r of results) {
      report.rejected.push(...r.errors);
      for (const c of r.candidates) {
        if (seen.has(c.id) || ws.has(c.id)) {
          report.duplicates++;
          continue;
        }
        seen.add(c.id);
        pending.push(c);
      }
    }
    done += slice.length;
    if (pending.length >= chunkSize) await flush();
    opts.onProgress?.(
      done,
      total,
      skipped ? `${skipped} already ingested, skipped` : `${report.rejected.length} rejected so far`,
    );
  }
  await flush();
  return report;
}
