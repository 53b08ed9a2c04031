/**
 * A contact sheet of every stretch x limits combination on a real ZTF, PGIR and ATLAS triplet, written
 * to test-output/stretch-contact-sheet.png for a person to look at, and the checks that the difference
 * background stays neutral under every stretch (it turned orange/red when the stretch was applied after
 * mapping [-m, m] to [0, 1]).
 *
 * Layout (legend also written to stretch-contact-sheet.txt): one block of rows per survey (ZTF, PGIR,
 * ATLAS), rows search, template, difference (light-theme diverging map), difference (dark-theme map);
 * columns: limits zscale | percentile 99.5 | minmax, and within each, stretch linear | log | sqrt | asinh.
 * Stamps are drawn at 2x, FITS row 0 at the bottom as in the desk.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { readStamp } from '../../../src/main/stamps/fits';
import type { StampImage } from '../../../src/shared/stamp';
import {
  renderRGBA,
  stretchToLevels,
  computeLimits,
  type Colormap,
  type Rgb,
} from '../../../src/shared/stretch';
import { darkDiverging } from '../../../src/renderer/src/desk/stamps/colormaps';
import {
  LIMITS,
  STRETCHES,
  stretchFor,
  DEFAULT_VIEW,
} from '../../../src/renderer/src/desk/stamps/viewSettings';
import { HAVE_SHARED, sharedPath } from '../helpers/shared';

const OUT = path.resolve(__dirname, '../../../test-output');
const ZOOM = 2;
const GAP = 4;

function load(rel: string): StampImage | null {
  if (!rel) return null;
  const file = sharedPath('real-stamps', rel);
  return readStamp(new Uint8Array(readFileSync(file)), file).image;
}

/** The first triplet of each survey in index.csv. */
function triplets(): {
  survey: string;
  id: string;
  search: StampImage;
  template: StampImage | null;
  difference: StampImage;
}[] {
  const [head, ...lines] = readFileSync(sharedPath('real-stamps', 'index.csv'), 'utf8').trim().split('\n');
  const cols = head.split(',');
  const at = (row: string[], c: string) => row[cols.indexOf(c)];
  const out = [];
  for (const survey of ['ztf', 'pgir', 'atlas']) {
    const row = lines.map((l) => l.split(',')).find((r) => at(r, 'survey') === survey)!;
    out.push({
      survey,
      id: at(row, 'id'),
      search: load(at(row, 'sci'))!,
      template: load(at(row, 'ref')),
      difference: load(at(row, 'diff'))!,
    });
  }
  return out;
}

describe.skipIf(!HAVE_SHARED)('stretch contact sheet on real stamps (../shared)', () => {
  const combos = LIMITS.flatMap((limits) =>
    STRETCHES.map((stretch) => ({ ...DEFAULT_VIEW, limits, stretch })),
  );

  it('the difference background stays neutral: as many pixels drawn positive as are positive', () => {
    for (const t of triplets()) {
      for (const view of combos) {
        const { spec } = stretchFor('difference', view);
        const lv = stretchToLevels(t.difference, computeLimits(t.difference, spec.limits), {
          ...spec,
          diverging: true,
        });
        let positive = 0;
        let drawnPositive = 0;
        let n = 0;
        lv.forEach((l, i) => {
          if (Number.isNaN(l)) return;
          n++;
          if (t.difference.data[i] > 0) positive++;
          if (l > 0.5) drawnPositive++;
          // The sign of every pixel survives the stretch.
          if (t.difference.data[i] === 0) expect(l).toBe(0.5);
        });
        const label = `${t.survey} ${view.limits} ${view.stretch}`;
        expect(drawnPositive, label).toBe(positive);
        // The sky of a difference scatters about 0: a fair share on each side (with the stretch applied
        // after mapping [-m, m] to [0, 1], log/sqrt/asinh drew nearly every pixel positive).
        expect(drawnPositive / n, label).toBeGreaterThan(0.2);
        expect(drawnPositive / n, label).toBeLessThan(0.8);
      }
    }
  });

  it('writes test-output/stretch-contact-sheet.png', () => {
    const ts = triplets();
    const cell = 63 * ZOOM + GAP;
    const rowsPer = 4;
    const width = combos.length * cell + 2 * GAP * (LIMITS.length - 1) + GAP;
    const height = ts.length * (rowsPer * cell + 3 * GAP) + GAP;
    const png = new PNG({ width, height });
    png.data.fill(128); // mid-grey frame, so white and black stamps both show their edges
    const blit = (rgba: Uint8ClampedArray, img: StampImage, x0: number, y0: number) => {
      for (let y = 0; y < img.height; y++)
        for (let x = 0; x < img.width; x++) {
          const src = ((img.height - 1 - y) * img.width + x) * 4;
          for (let dy = 0; dy < ZOOM; dy++)
            for (let dx = 0; dx < ZOOM; dx++) {
              const o = ((y0 + y * ZOOM + dy) * width + x0 + x * ZOOM + dx) * 4;
              png.data[o] = rgba[src];
              png.data[o + 1] = rgba[src + 1];
              png.data[o + 2] = rgba[src + 2];
              png.data[o + 3] = 255;
            }
        }
    };
    const legend: string[] = [
      'stretch-contact-sheet.png: columns (left to right) = limits zscale | percentile 99.5 | minmax,',
      'each with stretches linear, log, sqrt, asinh. Rows per survey block: search, template,',
      'difference (light-theme diverging map), difference (dark-theme map). FITS row 0 at the bottom.',
      '',
    ];
    ts.forEach((t, b) => {
      legend.push(
        `block ${b + 1}: ${t.survey} ${t.id}${t.template ? '' : ' (no template from this survey)'}`,
      );
      const y0 = GAP + b * (rowsPer * cell + 3 * GAP);
      combos.forEach((view, c) => {
        const x0 = GAP + c * cell + Math.floor(c / STRETCHES.length) * 2 * GAP;
        const rows: [
          StampImage | null,
          'search' | 'template' | 'difference',
          Colormap | 'gray' | 'diverging',
        ][] = [
          [t.search, 'search', 'gray'],
          [t.template, 'template', 'gray'],
          [t.difference, 'difference', 'diverging'],
          [t.difference, 'difference', darkDiverging as (l: number) => Rgb],
        ];
        rows.forEach(([img, kind, cmap], r) => {
          if (!img) return;
          const { spec } = stretchFor(kind, view);
          blit(renderRGBA(img, spec, cmap), img, x0, y0 + r * cell);
        });
      });
    });
    mkdirSync(OUT, { recursive: true });
    writeFileSync(path.join(OUT, 'stretch-contact-sheet.png'), PNG.sync.write(png));
    writeFileSync(path.join(OUT, 'stretch-contact-sheet.txt'), legend.join('\n') + '\n');
    expect(png.width).toBeGreaterThan(0);
  });
});
