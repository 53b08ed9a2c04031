/**
 * A night's seeing in pixels, and the resampling that brings finer-pixelled cameras to the scale
 * our models learnt. Why: the shipped models were trained on ZTF-like stamps (1"/px, templates'
 * median FWHM 2.4 px); the same sky on DECam's 0.263"/px or Rubin's 0.2"/px has 1.5-2x wider
 * point sources in pixels, and the default lost 0.16-0.22 AUC on ZTF stamps seen through 1.5-2x
 * finer pixels (TRAINED_BY.md). Downsampling such a night to 2.4 px before the standard
 * preprocessing gives most of it back. Measured per night, not per stamp: a stamp holds a few
 * stars at best, and one noisy measurement must not rescale a stamp of a ZTF night; the camera,
 * the thing that differs, is the same for the whole night.
 *
 * Only downsampling: coarser pixels (undersampled, e.g. ATLAS's 1.86"/px) cannot be made finer
 * by interpolation, and nights within RESAMPLE_ABOVE of the model's seeing stay as they are (ZTF
 * and the surveys we have stamps of), so their rows are unchanged to the bit.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Workspace } from '../../catalog/workspace';
import { readSeeingRecord, resamplesNight, seeingFile, type SeeingRecord } from '../../catalog/seeingFile';
import { median } from '../../../shared/robust';
import type { StampTriplet } from '../../../shared/stamp';
import { writeFileAtomic } from '../../util/atomicWrite';
import type { ModelSpec } from './architectures/spec';
import { broadeningSigma, measureFwhm } from './injection/psf';
import { AS_THEY_COME, type NightScale } from './injection/transform';

/** The templates' median FWHM (px) of the real stamps the shipped models learnt from (ZTF). */
export const MODEL_SEEING_PX = 2.4;
/** A night whose seeing is this many times the model's (or more) is resampled. */
export const RESAMPLE_ABOVE = 1.3;
/** A night whose search images' seeing is this many times its templates' (or more) has its templates blurred to match. */
export const MATCH_ABOVE = 1.3;
/** Stamps measured per night, spread evenly over its catalog. */
export const SEEING_SAMPLE = 256;

/** A night's seeing and resampling: what cache/seeing.json keeps, without its format and size. */
export type Seeing = Omit<SeeingRecord, 'format' | 'size'>;

/** Resampling factor for a night of this seeing: MODEL_SEEING_PX / fwhm when it is wide enough, else 1. */
export function seeingZoom(fwhmPx: number | null): number {
  if (fwhmPx === null || !(fwhmPx >= RESAMPLE_ABOVE * MODEL_SEEING_PX)) return 1;
  // Rounded so that the factor names a cache (cacheKey) and reads back the same from seeing.json.
  return Math.round((MODEL_SEEING_PX / fwhmPx) * 1e4) / 1e4;
}

const measured = (values: (number | null)[]): number[] => values.filter((v): v is number => v !== null);
const medianOrNull = (values: number[]): number | null => (values.length ? median(values) : null);

/**
 * The seeing of a set of stamps taken as one night (e.g. one survey's stamps of a manifest).
 * Templates are deep coadds of good nights, and a PSF-matched subtraction gives the difference the
 * search image's seeing: on a night much worse than its templates (MATCH_ABOVE), the models see
 * sharp templates beside broad search and difference images, which they never learnt (AUC 0.69-0.72
 * on held-out ZTF stamps with search and difference blurred to 1.4-2x, TRAINED_BY.md). When the
 * search images' seeing is also wide enough to be resampled, the night's templates are blurred to
 * it (sigma in quadrature, from the night's two medians) and the whole night is resampled from it:
 * 0.79-0.81 on those views. Blurring alone, where no resampling follows (1.2-1.3x), measured
 * within 0.01 of leaving the stamps as they are, so such nights are left as they are.
 */
export function setSeeing(triplets: readonly StampTriplet[]): Seeing {
  // Each image measured once. A stamp's seeing is its template's stars (a deep coadd: the most and
  // sharpest stars), else its search image's (no template, as ATLAS sends).
  const each = triplets.map((t) => ({ template: measureFwhm(t.template), search: measureFwhm(t.search) }));
  const fwhms = measured(each.map((m) => m.template ?? m.search));
  const withTemplate = each.filter((_, k) => triplets[k].template !== null);
  const templateFwhmPx = medianOrNull(measured(withTemplate.map((m) => m.template)));
  const searches = measured(withTemplate.map((m) => m.search));
  const searchFwhmPx = medianOrNull(searches);
  const matched =
    templateFwhmPx !== null &&
    searchFwhmPx !== null &&
    searchFwhmPx >= MATCH_ABOVE * templateFwhmPx &&
    seeingZoom(searchFwhmPx) < 1;
  const fwhmPx = matched ? searchFwhmPx : medianOrNull(fwhms);
  const templateBlur = matched ? Math.round(broadeningSigma(templateFwhmPx, searchFwhmPx) * 1e4) / 1e4 : 0;
  return {
    fwhmPx,
    sampled: triplets.length,
    measured: matched ? searches.length : fwhms.length,
    templateFwhmPx,
    searchFwhmPx,
    templateBlur,
    zoom: seeingZoom(fwhmPx),
  };
}

/**
 * The template blur and resampling that `spec`'s preprocessing applies to a night of this seeing:
 * braai (ZTF's own model) takes stamps as they come.
 */
export function scaleFor(spec: ModelSpec, seeing: Pick<Seeing, 'zoom' | 'templateBlur'>): NightScale {
  return resamplesNight(spec.preprocessing)
    ? { zoom: seeing.zoom, templateBlur: seeing.templateBlur }
    : AS_THEY_COME;
}

/**
 * The night's seeing, measured once on SEEING_SAMPLE stamps spread over its catalog and kept in
 * cache/seeing.json, so that every later scoring and training of the night resamples alike. Measured
 * again only while the first sample was short of SEEING_SAMPLE and the night has grown since (a
 * first chunk of a few stamps is a poor estimate; the candidates scored before keep their scores
 * until the night is scored again).
 */
export async function nightSeeing(ws: Workspace): Promise<Seeing> {
  const file = seeingFile(ws.dir);
  const kept = readSeeingRecord(ws.dir);
  if (kept && (kept.sampled >= SEEING_SAMPLE || kept.size >= ws.size)) {
    const { format: _format, size: _size, ...seeing } = kept;
    return seeing;
  }
  const ids = ws.ids();
  const step = Math.max(1, ids.length / SEEING_SAMPLE);
  const sample: string[] = [];
  for (let k = 0; k < Math.min(SEEING_SAMPLE, ids.length); k++) sample.push(ids[Math.floor(k * step)]);
  // One positioned read per stamp: a part of a big night is gigabytes, and 256 records are ~8 MB.
  const triplets: StampTriplet[] = [];
  for (const id of sample) {
    try {
      triplets.push(await ws.readTriplet(id));
    } catch {
      // A damaged record is scoring's to report (it names the part file and byte); here it is left out.
    }
  }
  const seeing = setSeeing(triplets);
  if (ids.length > 0) {
    const record: SeeingRecord = { format: 2, ...seeing, size: ids.length };
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      await writeFileAtomic(file, JSON.stringify(record, null, 2));
    } catch (e) {
      // Derived data: a night that cannot keep it is measured again next time, never left unscored.
      console.warn(
        `[skysift] ${file}: ${(e as Error).message}; the night's seeing is measured again next time`,
      );
    }
  }
  return seeing;
}

/** The template blur and resampling `spec`'s preprocessing applies to this night's stamps. */
export async function nightScale(ws: Workspace, spec: ModelSpec): Promise<NightScale> {
  // A model that takes stamps as they come needs no measurement.
  return resamplesNight(spec.preprocessing) ? scaleFor(spec, await nightSeeing(ws)) : AS_THEY_COME;
}

/** One line for job logs: what the night's seeing is and what scoring does about it. */
export function describeSeeing(s: Seeing): string {
  if (s.fwhmPx === null)
    return `seeing not measurable (no star in ${s.sampled} stamps): stamps used as they are`;
  const what = `seeing ${s.fwhmPx.toFixed(2)} px (median of ${s.measured} of ${s.sampled} stamps)`;
  const blur =
    s.templateBlur > 0 && s.templateFwhmPx !== null
      ? `; templates (${s.templateFwhmPx.toFixed(2)} px) blurred to the search images' seeing`
      : '';
  // A template blur comes only with a resampling (setSeeing).
  return s.zoom < 1
    ? `${what}${blur}: stamps resampled x${s.zoom.toFixed(3)} to the models' ${MODEL_SEEING_PX} px`
    : `${what}: stamps used as they are`;
}
