/**
 * Real stamps for injection and evaluation, read with the app's own manifest reader (the same
 * FITS decoding as ingest), with what the survey said about each: survey, object, sign of the
 * difference, and its own real/bogus scores (braai drb, rb) as stand-in labels.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { StampTriplet } from '../../../../shared/stamp';
import { decodeTriplet } from '../../../catalog/stampPack';
import { parseCsvRows } from '../../../stamps/csv';
import { manifestUnits } from '../../../stamps/sources/manifest';

export interface RealStamp {
  id: string;
  survey: string;
  /** Grouping key for folds: the epochs of one object never straddle train and evaluation. */
  objectId: string;
  tag: string;
  /** false: the survey reported a negative difference (a fading source, ZTF isdiffpos 'f'). */
  isdiffpos: boolean | null;
  scores: Record<string, number>;
  triplet: StampTriplet;
}

export interface LoadedStamps {
  stamps: RealStamp[];
  errors: { file: string; reason: string }[];
}

/**
 * Reads a triplet manifest (e.g. ../shared/data/real-stamps/index.csv). Rows that fail to decode
 * are returned as errors naming the file and the reason, never dropped silently.
 */
export async function loadManifestStamps(csvFile: string): Promise<LoadedStamps> {
  if (!existsSync(csvFile)) throw new Error(`${csvFile}: no such manifest`);
  const { units, errors } = await manifestUnits(csvFile);
  const tags = manifestTags(csvFile);
  const stamps: RealStamp[] = [];
  for (const unit of units) {
    const r = await unit.decode();
    errors.push(...r.errors);
    for (const c of r.candidates) {
      stamps.push({
        id: c.id,
        survey: (c.meta.survey ?? 'unknown').toLowerCase(),
        objectId: c.meta.objectId ?? c.id,
        tag: tags.get(c.id) ?? '',
        isdiffpos: c.meta.isdiffpos ?? null,
        scores: c.given.scores,
        // In-process decoding gives decoded stamps; only decoder threads hand over packed ones.
        triplet:
          c.triplet ?? decodeTriplet(Buffer.from(c.packed.buffer, c.packed.byteOffset, c.packed.length)),
      });
    }
  }
  if (stamps.length === 0) throw new Error(`${csvFile}: no readable triplet (${errors.length} errors)`);
  return { stamps, errors };
}

/** The optional `tag` column (e.g. ztf_drb_ge_0.9): not part of a candidate record, so read here. */
function manifestTags(csvFile: string): Map<string, string> {
  const rows = parseCsvRows(readFileSync(csvFile, 'utf8'), csvFile);
  const header = rows[0]?.cells.map((c) => c.trim().toLowerCase()) ?? [];
  const id = header.indexOf('id');
  const tag = header.indexOf('tag');
  const out = new Map<string, string>();
  if (id < 0 || tag < 0) return out;
  for (const r of rows.slice(1))
    if (r.cells.length === header.length) out.set(r.cells[id].trim(), r.cells[tag].trim());
  return out;
}

/**
 * The survey's own real/bogus verdict as a stand-in label: braai drb where present (agrees with
 * human vetting at ~98% on ZTF), else rb; null when the packet carries neither.
 */
export function surveyLabel(s: RealStamp, threshold = 0.5): 0 | 1 | null {
  const v = s.scores.drb ?? s.scores.rb;
  if (v === undefined || !Number.isFinite(v)) return null;
  return v >= threshold ? 1 : 0;
}

/** Deterministic fold of an object (sha-256 of its id): the same object lands in the same fold. */
export function foldOf(objectId: string, folds: number, salt = 0): number {
  const h = createHash('sha256').update(`${salt}:${objectId}`).digest();
  return h.readUInt32BE(0) % folds;
}

/**
 * One stamp per id, the first listed kept. The real-stamps manifest lists a few triplets twice
 * (under two tags): counted twice, they would weigh double in a figure, and a copy on each side of
 * a labelled/judged cut would be judged on what it was trained on.
 */
export function distinctStamps<T extends { id: string }>(stamps: readonly T[]): T[] {
  const seen = new Set<string>();
  return stamps.filter((s) => {
    if (seen.has(s.id)) return false;
    seen.add(s.id);
    return true;
  });
}
