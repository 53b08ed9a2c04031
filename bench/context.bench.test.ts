/**
 * What the candidate context costs a night: catalog bytes per candidate and the time to open a
 * night (parse and validate every catalog part) with and without the packets' histories, and the
 * time to build the queue rows' context summaries (candidatesList) and one candidate's light curve.
 * Histories are the real SN 2021rhu packets' (17 points on average, ZTF's 30-day window), given to
 * BENCH_CONTEXT_N synthetic candidates of as many objects; the reference is the same night without them.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { candidateContext, contextSummaries } from '../src/main/catalog/objectHistory';
import { Workspace, type NewCandidate } from '../src/main/catalog/workspace';
import { readAlertFile } from '../src/main/stamps/avro';
import { packContext, type StoredContext } from '../src/shared/context';
import { HAVE_SHARED, sharedPath } from '../test/unit/helpers/shared';
import { bestTime, envInt, now, Rows } from './lib';

const N = envInt('BENCH_CONTEXT_N', 100_000);
const CHUNK = 2000;

function realContexts(): StoredContext[] {
  const dir = sharedPath('alerts', 'ztf-sn2021rhu');
  return readdirSync(dir).flatMap((f) =>
    readAlertFile(readFileSync(path.join(dir, f)), f).records.map((r) => packContext(r.context)),
  );
}

async function night(contexts: StoredContext[] | null): Promise<Workspace> {
  const ws = await Workspace.open(mkdtempSync(path.join(os.tmpdir(), 'skysift-bench-ctx-')), {
    create: true,
  });
  const img = { width: 2, height: 2, data: new Float32Array(4), mask: new Uint8Array(4).fill(1) };
  for (let start = 0; start < N; start += CHUNK) {
    const batch: NewCandidate[] = [];
    for (let i = start; i < Math.min(N, start + CHUNK); i++) {
      const ctx = contexts?.[i % contexts.length];
      batch.push({
        id: String(1_700_000_000_000_000_000n + BigInt(i)),
        source: 'avro',
        origin: {
          search: `p${i}.avro#${i}:science`,
          template: `p${i}.avro#${i}:template`,
          difference: `p${i}.avro#${i}:difference`,
        },
        meta: {
          mjd: 59461 + (i % 1000) / 1e4,
          band: i % 2 ? 'g' : 'r',
          ra: (i * 0.0137) % 360,
          dec: -30 + ((i * 0.0071) % 60),
          mag: 18 + (i % 30) / 10,
          magErr: 0.05,
          isdiffpos: true,
          survey: 'ztf',
          objectId: `ZTF21obj${i}`,
          exptime: 30,
          magzp: 26.3,
        },
        given: { scores: { rb: 0.8, drb: 0.99 } },
        ...(ctx ? { context: ctx } : {}),
        triplet: { search: img, template: img, difference: img },
      });
    }
    await ws.appendPart(batch);
  }
  return ws;
}

const catalogBytes = (ws: Workspace) =>
  readdirSync(path.join(ws.dir, 'catalog')).reduce(
    (s, f) => s + statSync(path.join(ws.dir, 'catalog', f)).size,
    0,
  );

describe.skipIf(!HAVE_SHARED)('candidate context in the catalog', () => {
  it(`opens a ${N}-candidate night with histories`, async () => {
    const rows = new Rows('context');
    const contexts = realContexts();
    const points = contexts.reduce((s, c) => s + c.history.split(';').length, 0) / contexts.length;
    const plain = await night(null);
    const rich = await night(contexts);
    const bPlain = catalogBytes(plain) / N;
    const bRich = catalogBytes(rich) / N;
    rows.add({
      figure: `catalog bytes per candidate (${points.toFixed(1)} history points)`,
      rate: bRich,
      unit: 'B',
      reference: bPlain,
      refUnit: 'B',
      refLabel: 'without context',
      ratio: bRich / bPlain,
    });
    const open = async (ws: Workspace) => {
      const t0 = now();
      const again = await Workspace.open(ws.dir);
      expect(again.size).toBe(N);
      return now() - t0;
    };
    const tPlain = await bestTime(() => open(plain), 3, 1);
    const tRich = await bestTime(() => open(rich), 3, 1);
    rows.add({
      figure: 'open the night (read + validate every part)',
      rate: N / tRich,
      unit: 'candidates/s',
      reference: N / tPlain,
      refUnit: 'candidates/s',
      refLabel: 'without context',
      ratio: tPlain / tRich,
      note: `${tRich.toFixed(2)} s vs ${tPlain.toFixed(2)} s`,
    });
    // Cold: a night opened afresh has no index yet (each later call on it is answered from the cache).
    const fresh = async () => Workspace.open(rich.dir);
    let cold = Infinity;
    for (let r = 0; r < 3; r++) {
      const ws = await fresh();
      const t0 = now();
      contextSummaries(ws, [], null);
      cold = Math.min(cold, now() - t0);
    }
    rows.add({
      figure: 'row context summaries, first candidatesList of a night',
      rate: N / cold,
      unit: 'candidates/s',
      reference: N / tRich,
      refUnit: 'candidates/s',
      refLabel: 'opening the night',
      ratio: tRich / cold,
      note: `${cold.toFixed(2)} s`,
    });
    const ws = await fresh();
    const id = ws.list()[N - 1].id;
    let t0 = now();
    candidateContext(ws, [], id);
    const first = now() - t0;
    const next = ws.list()[N - 2].id;
    t0 = now();
    candidateContext(ws, [], next);
    const warm = now() - t0;
    rows.add({
      figure: 'candidateContext on the next key (index built)',
      rate: 1 / warm,
      unit: 'calls/s',
      reference: 1 / first,
      refUnit: 'calls/s',
      refLabel: 'first call of the night (builds the index)',
      ratio: first / warm,
      note: `${(warm * 1000).toFixed(2)} ms vs ${(first * 1000).toFixed(0)} ms`,
    });
    rows.write({ n: N });
  });
});
