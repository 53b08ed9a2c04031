/** A small workspace with real-ish metadata and a scored active model, and labels for it. */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Workspace, type NewCandidate } from '../../../src/main/catalog/workspace';
import type { HumanLabel } from '../../../src/shared/labels';
import type { StampImage } from '../../../src/shared/stamp';

export const tmpDir = (prefix = 'skysift-export-') => mkdtempSync(path.join(os.tmpdir(), prefix));

function image(seed: number): StampImage {
  const w = 8;
  const data = new Float32Array(w * w).map((_, i) => Math.sin(i * 0.37 + seed) * 100);
  return { width: w, height: w, data, mask: new Uint8Array(w * w).fill(1) };
}

export interface FixtureCandidate {
  id: string;
  meta: NewCandidate['meta'];
  given?: NewCandidate['given'];
}

export const CANDIDATES: FixtureCandidate[] = [
  {
    id: 'c1',
    meta: {
      mjd: 59000.5,
      band: 'g',
      ra: 284.1196294,
      dec: 54.1205048,
      mag: 19.17,
      magErr: 0.08,
      survey: 'ztf',
      objectId: 'ZTF18abfcjtr',
      exptime: 30,
    },
    given: { label: 'real', scores: { drb: 0.99 } },
  },
  {
    id: 'c2',
    meta: {
      mjd: 60235.6760417,
      band: 'r',
      ra: 95.9790378,
      dec: -19.6470455,
      mag: 17.56,
      survey: 'ztf',
      objectId: 'ZTF23abljvny',
    },
    given: { label: 'bogus', scores: { drb: 0.1 } },
  },
  {
    id: 'c3',
    meta: { mjd: 57000.25, band: 'i', ra: 0.0001, dec: -0.5, mag: 21.3, survey: 'des' },
    given: { scores: {} },
  },
  { id: 'c4', meta: { band: 'z' }, given: { label: 'real', scores: {} } },
  {
    id: '=HYPERLINK("x")',
    meta: { mjd: 59001, band: 'r&<>"', ra: 10, dec: 10, mag: 20 },
    given: { scores: {} },
  },
];

export async function makeWorkspace(opts: { activeModel?: boolean } = {}): Promise<Workspace> {
  const ws = await Workspace.open(path.join(tmpDir('skysift-ws-'), 'night'), {
    create: true,
    name: 'test night',
  });
  await ws.appendPart(
    CANDIDATES.map((c, i) => ({
      id: c.id,
      source: 'manifest' as const,
      origin: { search: `s${i}.fits`, template: null, difference: `d${i}.fits` },
      meta: c.meta,
      given: c.given ?? { scores: {} },
      triplet: { search: image(i), template: null, difference: image(i + 10) },
    })),
  );
  if (opts.activeModel !== false) {
    await ws.writeScores(
      'v1',
      new Map([
        ['c1', 0.97],
        ['c2', 0.12],
        ['c3', 0.81],
      ]),
    );
    await ws.update({ activeModel: 'v1', threshold: 0.5 });
  }
  return ws;
}

export function label(ws: Workspace, candidateId: string, patch: Partial<HumanLabel> = {}): HumanLabel {
  return {
    candidateId,
    workspace: ws.dir,
    label: 'real',
    subclass: null,
    modelVersion: 'v1',
    score: 0.5,
    secondsSpent: 2.5,
    labelledAt: '2024-03-01T22:10:05.123Z',
    by: 'astro',
    ...patch,
  };
}
