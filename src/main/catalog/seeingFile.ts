/**
 * cache/seeing.json: a night's seeing in pixels, and the template blur and resampling its stamps
 * get before the models' preprocessing (measured by worker/model/seeing.ts). Here, so that the
 * night's summary can say it without the catalog reaching into the worker's code.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { workspaceLayout } from './layout';

export interface SeeingRecord {
  format: 2;
  /**
   * The night's seeing: median FWHM (px) over the stamps with a measurable star (their templates',
   * else their search images'; the search images' when the templates are blurred to match them);
   * null when none had one.
   */
  fwhmPx: number | null;
  /** Stamps looked at, and how many of them had a measurable star. */
  sampled: number;
  measured: number;
  /** Median FWHM (px) of the templates' and of the search images' stars, over stamps with a template. */
  templateFwhmPx: number | null;
  searchFwhmPx: number | null;
  /**
   * Sigma (px) of the Gaussian the night's templates are blurred with, to the search images' seeing,
   * before resampling (0: as they are): a night much worse than its (coadded) templates.
   */
  templateBlur: number;
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
    const fwhm = (v: unknown) => v === null || (typeof v === 'number' && v > 0);
    // A format-1 record (before template matching) is measured again.
    const ok =
      s.format === 2 &&
      fwhm(s.fwhmPx) &&
      fwhm(s.templateFwhmPx) &&
      fwhm(s.searchFwhmPx) &&
      typeof s.templateBlur === 'number' &&
      s.templateBlur >= 0 &&
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
