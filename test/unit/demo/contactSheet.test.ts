import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { candidateTriplet } from '../../../src/main/worker/demo/generator';
import {
  ARTIFACT_KINDS,
  REAL_KINDS,
  simulateCandidate,
  STAMP,
  type SimKind,
} from '../../../src/main/worker/demo/scene';
import { renderRGBA } from '../../../src/shared/stretch';

const PER_KIND = 4;
const UP = 3;
const GAP = 6;

describe('demo contact sheet', () => {
  it('writes test-output/demo-contact-sheet.png (rows: kinds; each: search | template | difference)', () => {
    const kinds: SimKind[] = [...REAL_KINDS, ...ARTIFACT_KINDS];
    const cell = STAMP * UP;
    const tripW = 3 * cell + 2;
    const W = PER_KIND * (tripW + GAP);
    const H = kinds.length * (cell + GAP);
    const png = new PNG({ width: W, height: H });
    png.data.fill(40);
    kinds.forEach((kind, row) => {
      for (let j = 0; j < PER_KIND; j++) {
        const real = (REAL_KINDS as readonly string[]).includes(kind);
        const c = simulateCandidate(7, 1000 * row + j + 1, real, kind, 0.5);
        const t = candidateTriplet(c);
        const imgs = [
          renderRGBA(t.search, { limits: { kind: 'zscale' } }, 'gray'),
          renderRGBA(t.template!, { limits: { kind: 'zscale' } }, 'gray'),
          renderRGBA(t.difference, { limits: { kind: 'symmetric' } }, 'gray'),
        ];
        // Every stamp must show structure, not a flat field (a blank render would hide a broken generator).
        for (const rgba of imgs) expect(new Set(rgba.filter((_, i) => i % 4 === 0)).size).toBeGreaterThan(8);
        imgs.forEach((rgba, k) => {
          const ox = j * (tripW + GAP) + k * (cell + 1);
          const oy = row * (cell + GAP);
          for (let y = 0; y < cell; y++)
            for (let x = 0; x < cell; x++) {
              // FITS row 0 is the bottom in DS9: flip vertically for display.
              const s = ((STAMP - 1 - Math.floor(y / UP)) * STAMP + Math.floor(x / UP)) * 4;
              const d = ((oy + y) * W + ox + x) * 4;
              png.data[d] = rgba[s];
              png.data[d + 1] = rgba[s + 1];
              png.data[d + 2] = rgba[s + 2];
              png.data[d + 3] = 255;
            }
        });
      }
    });
    const out = path.resolve(__dirname, '../../../test-output');
    mkdirSync(out, { recursive: true });
    const file = path.join(out, 'demo-contact-sheet.png');
    writeFileSync(file, PNG.sync.write(png));
    const back = PNG.sync.read(readFileSync(file));
    expect([back.width, back.height]).toEqual([W, H]);
    console.log(`contact sheet rows: ${kinds.join(', ')} -> ${file}`);
  });
});
