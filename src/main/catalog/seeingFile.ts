/**
 * cache/seeing.json: a night's seeing in pixels and the resampling its stamps get before the
 * models' preprocessing (measured by worker/model/seeing.ts). Here, so that the night's summary
 * can say it without the catalog reaching into the worker's code.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { workspaceLayout } from './layout';

export interface SeeingRecord {
  format: 1;
  /** Median FWHM (px) over the stamps with a measurable star; null when none had one. */
  fwhmPx: number | null;
  /** Stamps looked at, and how many of them had a measurable star. */
  sampled: number;
  measured: number;
  /** Factor the night's images are resampled by before preprocessing (1: as they are). */
  zoom: number;
  /** The night's size when measured. */
  size: number;
}

/**
 * Whether a model of this preprocessing sees a night at the record's resampling: ours ('standard')
 * do; braai, ZTF's own model, takes the stamps as they come.
 */
export function resamplesNight(preprocessing: string): boolean {
  return preprocessing === 'standard';
}

export function seeingFile(wsDir: string): string {
  return path.join(workspaceLayout(wsDir).cache, 'seeing.json');
}

/** The night's record, or null when there is none or it is damaged (derived data: measured again). */
export function readSeeingRecord(wsDir: string): SeeingRecord | null {
  const file = seeingFile(wsDir);
  if (!existsSync(file)) return null;
  try {
    const s = JSON.parse(readFileSync(file, 'utf8')) as Partial<SeeingRecord>;
    const ok =
      s.format === 1 &&
      (s.fwhmPx === null || (typeof s.fwhmPx === 'number' && s.fwhmPx > 0)) &&
      typeof s.zoom === 'number' &&
      s.zoom > 0 &&
      s.zoom <= 1 &&
      Number.isInteger(s.sampled) &&
      Number.isInteger(s.measured) &&
      Number.isInteger(s.size);
    return ok ? (s as SeeingRecord) : null;
  } catch {
    return null;
  }
}
