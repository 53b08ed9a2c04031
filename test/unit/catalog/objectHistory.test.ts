import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import avro from 'avsc';
import { beforeAll, describe, expect, it } from 'vitest';
import { candidateContext, contextSummaries, ObjectIndex } from '../../../src/main/catalog/objectHistory';
import { Workspace, type NewCandidate } from '../../../src/main/catalog/workspace';
import { readAlertFile } from '../../../src/main/stamps/avro';
import { decimalLongType } from '../../../src/main/stamps/avro/datumType';
import { runIngest } from '../../../src/main/worker/ingest/ingest';
import { packContext } from '../../../src/shared/context';
import { HAVE_SHARED, sharedPath } from '../helpers/shared';
import { makeContainer } from '../stamps/avro/containerFixture';

const RHU = sharedPath('alerts', 'ztf-sn2021rhu');
const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'skysift-objhist-'));

/** The packets read with avsc (not our reader): the truth the light curve is checked against. */
function readWithAvsc(file: string): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) => {
    const out: Record<string, unknown>[] = [];
    avro
      .createFileDecoder(file, {
        parseHook: (schema: unknown) =>
          avro.Type.forSchema(schema as avro.Schema, {
            registry: { long: decimalLongType },
            wrapUnions: false,
          }),
      } as never)
      .on('data', (r: Record<string, unknown>) => out.push(r))
      .on('end', () => resolve(out))
      .on('error', reject);
  });
}

interface Truth {
  band: string;
  mjd: number;
  mag: number | null;
  limit: number | null;
}

describe.skipIf(!HAVE_SHARED)('SN 2021rhu: one object, its light curve over 34 packets', () => {
  let ws: Workspace;
  let truth: Truth[];
  let lastId: string;

  beforeAll(async () => {
    ws = await Workspace.open(tmp(), { create: true });
    const report = await runIngest(ws, RHU, { decoder: null });
    expect(report.rejected).toEqual([]);
    expect(report.added).toBe(34);
    const seen = new Map<string, Truth>();
    let lastJd = -Infinity;
    for (const f of readdirSync(RHU)) {
      for (const r of await readWithAvsc(path.join(RHU, f))) {
        const c = r.candidate as Record<string, number>;
        if (c.jd > lastJd) {
          lastJd = c.jd;
          lastId = String(r.candid);
        }
        const add = (p: Record<string, unknown>) => {
          const band = ({ 1: 'g', 2: 'r' } as Record<number, string>)[p.fid as number];
          const det = p.magpsf !== null && p.candid !== null;
          const key = `${band}${(p.jd as number).toFixed(5)}`;
          if (det || !seen.has(key))
            seen.set(key, {
              band,
              mjd: (p.jd as number) - 2400000.5,
              mag: det ? (p.magpsf as number) : null,
              limit: det ? null : (p.diffmaglim as number),
            });
        };
        add(c);
        for (const p of (r.prv_candidates as Record<string, unknown>[] | null) ?? []) add(p);
      }
    }
    truth = [...seen.values()].sort((a, b) => a.mjd - b.mjd);
  });

  it('groups the 34 packets as one object', () => {
    const idx = new ObjectIndex(ws);
    expect(idx.objectOf(lastId)).toBe('ZTF21abiuvdk');
    expect(idx.membersOf(lastId)).toHaveLength(34);
  });

  it("the last packet's light curve is every epoch of every packet, per band, with the limits before", () => {
    const ctx = candidateContext(ws, [], lastId);
    const lc = ctx.lightCurve;
    expect(lc).toHaveLength(truth.length);
    lc.forEach((p, i) => {
      expect(p.band).toBe(truth[i].band);
      expect(p.time).toBeCloseTo(truth[i].mjd, 4);
      if (truth[i].mag === null) {
        expect(p.kind).toBe('limit');
        expect(p.limit).toBeCloseTo(truth[i].limit!, 3);
      } else {
        expect(p.kind).toBe('detection');
        expect(p.mag).toBeCloseTo(truth[i].mag!, 3);
      }
    });
    expect(new Set(lc.map((p) => p.band))).toEqual(new Set(['g', 'r']));
    for (const band of ['g', 'r']) {
      const det = lc.filter((p) => p.band === band && p.kind === 'detection');
      const peak = Math.min(...det.map((p) => p.mag!));
      const peakAt = det.findIndex((p) => p.mag === peak);
      // Rise and fall: the peak is well inside, at least a magnitude brighter than both ends.
      expect(peakAt).toBeGreaterThan(0);
      expect(peakAt).toBeLessThan(det.length - 1);
      expect(det[0].mag! - peak).toBeGreaterThan(1);
      expect(det[det.length - 1].mag! - peak).toBeGreaterThan(1);
      const limitsBefore = lc.filter((p) => p.band === band && p.kind === 'limit' && p.time < det[0].time);
      expect(limitsBefore.length).toBeGreaterThan(0);
    }
    // Every detection of the night's packets points at its candidate.
    expect(lc.filter((p) => p.candidateId !== null)).toHaveLength(
      lc.filter((p) => p.kind === 'detection').length,
    );
  });

  it('facts, summary, rates and epochs of the last packet', () => {
    const ctx = candidateContext(ws, [], lastId);
    expect(ctx.facts).toMatchObject({ ndethist: 168, nearestStarScore: 0.5 });
    expect(ctx.facts.nearestStarDist).toBeCloseTo(3.88, 2);
    expect(ctx.facts.asteroidName).toBeUndefined();
    expect(ctx.summary).toMatchObject({ object: 'ZTF21abiuvdk', asteroid: false, nearStar: false });
    expect(ctx.summary.detections).toBe(truth.filter((t) => t.mag !== null).length);
    expect(ctx.summary.peakMag).toBeCloseTo(
      Math.min(...truth.filter((t) => t.mag !== null).map((t) => t.mag!)),
      4,
    );
    // jdstarthist 2459396.9046875: the first detection.
    expect(ctx.summary.firstDetection).toBeCloseTo(59396.4046875, 5);
    expect(ctx.ageDays).toBeCloseTo(2459461.9095255 - 2459396.9046875, 4);
    // Fading in both bands a month after peak.
    expect(ctx.rates.map((r) => r.band)).toEqual(['g', 'r']);
    for (const r of ctx.rates) expect(r.magPerDay).toBeGreaterThan(0);
    expect(ctx.summary.rising).toBe(false);
    expect(ctx.epochs).toHaveLength(34);
    expect(ctx.epochs[33].id).toBe(lastId);
  });

  it('the early packets are rising', () => {
    const idx = new ObjectIndex(ws);
    const epochs = idx.context(lastId).epochs;
    // The fourth epoch (four days in): both bands brightening.
    expect(idx.summary(epochs[3].id).rising).toBe(true);
  });

  it('another night at the same position joins the object; the curve gains its epoch', async () => {
    const other = await Workspace.open(tmp(), { create: true, name: 'night-2' });
    const last = ws.get(lastId)!;
    // A DES-like candidate: no objectId, 0.5 arcsec away, later.
    await other.appendPart([
      candidate('des-1', {
        ra: last.meta.ra! + 0.5 / 3600 / Math.cos((last.meta.dec! * Math.PI) / 180),
        dec: last.meta.dec!,
        mjd: 59500,
        band: 'r',
        mag: 17.5,
      }),
      candidate('des-far', {
        ra: last.meta.ra! + 3 / 3600,
        dec: last.meta.dec!,
        mjd: 59500,
        band: 'r',
        mag: 18,
      }),
    ]);
    const ctx = candidateContext(ws, [other], lastId);
    const added = ctx.lightCurve.filter((p) => p.night === 'night-2');
    expect(added.map((p) => p.candidateId)).toEqual(['des-1']);
    expect(ctx.epochs).toHaveLength(34);
    const fromOther = new ObjectIndex(other, [ws]);
    expect(fromOther.objectOf('des-1')).toBe('ZTF21abiuvdk');
    expect(fromOther.objectOf('des-far')).toBe('pos:des-far');
  });
});

function candidate(id: string, meta: NewCandidate['meta'], context?: NewCandidate['context']): NewCandidate {
  const img = { width: 2, height: 2, data: new Float32Array(4), mask: new Uint8Array(4).fill(1) };
  return {
    id,
    source: 'des',
    origin: { search: `${id}s`, template: null, difference: `${id}d` },
    meta,
    given: { scores: {} },
    ...(context ? { context } : {}),
    triplet: { search: img, template: null, difference: img },
  };
}

describe.skipIf(!HAVE_SHARED)('Rubin and ATLAS packets without history', () => {
  it('empty prvDiaSources: no history, only the object facts; ATLAS: no context at all', () => {
    const dir = sharedPath('alerts', 'other');
    const rubin = readdirSync(dir).filter((f) => f.startsWith('rubin-'));
    expect(rubin.length).toBeGreaterThan(0);
    for (const f of rubin) {
      const { records, error } = readAlertFile(readFileSync(path.join(dir, f)), f);
      expect(error).toBeNull();
      for (const r of records) {
        expect(r.contextProblem).toBeUndefined();
        expect(r.context.history).toEqual([]);
        expect(r.context.facts.ndethist).toBeGreaterThanOrEqual(1);
      }
    }
    const atlas = readdirSync(dir).find((f) => f.startsWith('atlas-'))!;
    const [a] = readAlertFile(readFileSync(path.join(dir, atlas)), atlas).records;
    expect(a.context).toEqual({ facts: {}, history: [] });
  });

  it('a night of ATLAS and Rubin: single-epoch light curves, no row summaries for lone candidates', async () => {
    const ws = await Workspace.open(tmp(), { create: true });
    await runIngest(ws, sharedPath('alerts', 'other'), { decoder: null });
    const idx = new ObjectIndex(ws);
    const atlas = ws.list().find((e) => e.meta.survey === 'atlas')!;
    expect(atlas.context).toBeUndefined();
    expect(idx.lightCurve(atlas.id)).toHaveLength(1);
    expect(idx.summaries().has(atlas.id)).toBe(false);
  });
});

/** A Rubin-shaped schema with the history fields (names as in lsst.v9). */
const SOURCE_FIELDS = [
  { name: 'diaSourceId', type: 'long' },
  { name: 'diaObjectId', type: ['null', 'long'], default: null },
  { name: 'midpointMjdTai', type: 'double' },
  { name: 'ra', type: 'double' },
  { name: 'dec', type: 'double' },
  { name: 'psfFlux', type: ['null', 'float'], default: null },
  { name: 'psfFluxErr', type: ['null', 'float'], default: null },
  { name: 'isNegative', type: ['null', 'boolean'], default: null },
  { name: 'band', type: ['null', 'string'], default: null },
];
const RUBIN_SCHEMA = {
  type: 'record',
  name: 'alert',
  namespace: 'lsst.v9_0',
  fields: [
    { name: 'diaSourceId', type: 'long' },
    { name: 'diaSource', type: { type: 'record', name: 'diaSource', fields: SOURCE_FIELDS } },
    {
      name: 'prvDiaSources',
      type: [
        'null',
        { type: 'array', items: { type: 'record', name: 'prvDiaSources', fields: SOURCE_FIELDS } },
      ],
      default: null,
    },
    {
      name: 'prvDiaForcedSources',
      type: [
        'null',
        {
          type: 'array',
          items: {
            type: 'record',
            name: 'prvDiaForcedSources',
            fields: [
              { name: 'diaForcedSourceId', type: 'long' },
              { name: 'midpointMjdTai', type: 'double' },
              { name: 'psfFlux', type: ['null', 'float'], default: null },
              { name: 'psfFluxErr', type: ['null', 'float'], default: null },
              { name: 'band', type: ['null', 'string'], default: null },
            ],
          },
        },
      ],
      default: null,
    },
    {
      name: 'diaObject',
      type: [
        'null',
        {
          type: 'record',
          name: 'diaObject',
          fields: [
            { name: 'diaObjectId', type: 'long' },
            { name: 'nDiaSources', type: 'int' },
            { name: 'firstDiaSourceMjdTai', type: ['null', 'double'], default: null },
          ],
        },
      ],
      default: null,
    },
    { name: 'cutoutScience', type: ['null', 'bytes'], default: null },
    { name: 'cutoutTemplate', type: ['null', 'bytes'], default: null },
    { name: 'cutoutDifference', type: ['null', 'bytes'], default: null },
  ],
};

const src = (id: string, t: number, flux: number, band = 'r') => ({
  diaSourceId: id,
  diaObjectId: '42',
  midpointMjdTai: t,
  ra: 150.1,
  dec: 2.2,
  psfFlux: flux,
  psfFluxErr: 100,
  isNegative: flux < 0,
  band,
});

describe('a Rubin packet with prvDiaSources', () => {
  const packet = makeContainer(RUBIN_SCHEMA, [
    {
      diaSourceId: '1003',
      diaSource: src('1003', 61003, 9000),
      prvDiaSources: [src('1001', 61001, 1000), src('1002', 61002, 4000, 'g')],
      prvDiaForcedSources: [
        { diaForcedSourceId: '9', midpointMjdTai: 61000, psfFlux: -50, psfFluxErr: 90, band: 'r' },
      ],
      diaObject: { diaObjectId: '42', nDiaSources: 3, firstDiaSourceMjdTai: 61001 },
      cutoutScience: null,
      cutoutTemplate: null,
      cutoutDifference: null,
    },
  ]);

  it('reads the earlier sources in nJy with their magnitudes, and the forced photometry', () => {
    const { records, error } = readAlertFile(packet, 'rubin-test.avro');
    expect(error).toBeNull();
    const [r] = records;
    expect(r.survey).toBe('rubin');
    expect(r.contextProblem).toBeUndefined();
    expect(r.context.facts).toEqual({ ndethist: 3, firstDetection: 61001 });
    expect(r.context.history).toEqual([
      { t: 61000, b: 'r', f: -50, fe: 90, fo: true },
      { t: 61001, b: 'r', f: 1000, fe: 100, m: 23.9, me: 0.1086, id: '1001' },
      { t: 61002, b: 'g', f: 4000, fe: 100, m: 22.3949, me: 0.0271, id: '1002' },
    ]);
  });

  it('gives a rising light curve in r once in the catalog', async () => {
    const ws = await Workspace.open(tmp(), { create: true });
    const [r] = readAlertFile(packet, 'rubin-test.avro').records;
    await ws.appendPart([candidate(r.candid, r.meta, packContext(r.context))]);
    const ctx = candidateContext(ws, [], '1003');
    expect(ctx.object).toBe('42');
    expect(ctx.lightCurve.map((p) => [p.time, p.band, p.kind])).toEqual([
      [61000, 'r', 'forced'],
      [61001, 'r', 'detection'],
      [61002, 'g', 'detection'],
      [61003, 'r', 'detection'],
    ]);
    expect(ctx.rates).toEqual([
      { band: 'r', magPerDay: expect.closeTo((-2.5 * Math.log10(9)) / 2, 6), days: 2 },
    ]);
    expect(ctx.summary.rising).toBe(true);
  });

  it('a history entry without a time is reported and the candidate kept', () => {
    const bad = makeContainer(
      {
        ...RUBIN_SCHEMA,
        fields: RUBIN_SCHEMA.fields.map((f) =>
          f.name === 'prvDiaSources'
            ? {
                ...f,
                type: [
                  'null',
                  {
                    type: 'array',
                    items: {
                      type: 'record',
                      name: 'prvDiaSources',
                      fields: SOURCE_FIELDS.map((s) =>
                        s.name === 'midpointMjdTai' ? { ...s, type: ['null', 'double'], default: null } : s,
                      ),
                    },
                  },
                ],
              }
            : f,
        ),
      },
      [
        {
          diaSourceId: '7',
          diaSource: src('7', 61003, 9000),
          prvDiaSources: [{ ...src('6', 0, 1000), midpointMjdTai: null }],
          prvDiaForcedSources: null,
          diaObject: null,
          cutoutScience: null,
          cutoutTemplate: null,
          cutoutDifference: null,
        },
      ],
    );
    const [r] = readAlertFile(bad, 'bad.avro').records;
    expect(r.candid).toBe('7');
    expect(r.contextProblem).toBe('prvDiaSources[0] has no midpointMjdTai');
    expect(r.context).toEqual({ facts: {}, history: [] });
  });
});

describe('a damaged history in the catalog', () => {
  it('is an error naming the night and the candidate; the queue summaries go on without it', async () => {
    const ws = await Workspace.open(tmp(), { create: true, name: 'n1' });
    await ws.appendPart([
      candidate('ok', { mjd: 2, band: 'r', mag: 19, ra: 1, dec: 1 }, { facts: {}, history: '1,r,20' }),
      candidate('bad', { mjd: 2, band: 'r', mag: 19, ra: 5, dec: 5 }, { facts: {}, history: '1,r,x' }),
    ]);
    expect(() => candidateContext(ws, [], 'bad')).toThrow(
      'night "n1", candidate bad: damaged history in the catalog (history point 1: m "x" is not a number); re-ingest its packet',
    );
    const summaries = contextSummaries(ws);
    expect([...summaries.keys()]).toEqual(['ok']);
    expect(summaries.get('ok')).toMatchObject({ detections: 2, peakMag: 19 });
  });
});
