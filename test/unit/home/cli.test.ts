/**
 * The CLI as a client of the app, on real ZTF alert packets: ingest ends scored, status, labels
 * in and out through the journal, the library, scores per candidate. Needs the build (out/main).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { HAVE_SHARED, SHARED_MODELS, sharedPath } from '../helpers/shared';

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'out', 'main', 'cli.js');
const BUILT = existsSync(CLI) && existsSync(path.join(ROOT, 'out', 'main', 'worker.js'));
if (!BUILT) console.warn('[skysift tests] out/main is not built: the CLI tests are skipped (npm run build).');

describe.skipIf(!BUILT || !HAVE_SHARED)('skysift as a client of the app (real ZTF packets)', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'skysift-cli-'));
  const home = path.join(tmp, 'home');
  const ws = path.join(tmp, 'night');
  const cli = (...args: string[]) =>
    execFileSync(process.execPath, [CLI, ...args, '--home', home], { encoding: 'utf8', stdio: 'pipe' });
  const json = (...args: string[]) => JSON.parse(cli(...args, '--json').replace(/^[^{]*/, ''));
  let ingested: { added: number; scoredBy: string; scored: number; candidates: number };

  beforeAll(() => {
    ingested = json('ingest', sharedPath('alerts', 'ztf'), '--workspace', ws);
  }, 180_000);

  it('ingest ends with the night scored by the home model, and says which', () => {
    expect(ingested.added).toBeGreaterThan(30);
    expect(ingested.scoredBy).toMatch(/^compact-/);
    expect(ingested.scored).toBe(ingested.candidates);
  });

  it('status --json gives candidates, scored, the active model and the labels', () => {
    const s = json('status', '--workspace', ws);
    expect(s).toMatchObject({
      candidates: ingested.candidates,
      scored: ingested.candidates,
      activeModel: ingested.scoredBy,
      labels: { real: 0, bogus: 0, skip: 0 },
    });
  });

  it('scores writes id,score for every candidate', () => {
    const out = path.join(tmp, 'scores.csv');
    // The labels test below takes its ids from this file (a file's tests run in order).
    expect(cli('scores', '--workspace', ws, '--out', out)).toMatch(
      new RegExp(`wrote ${ingested.candidates} scores`),
    );
    const rows = readFileSync(out, 'utf8').trim().split('\n');
    expect(rows[0]).toBe('id,score');
    expect(rows).toHaveLength(ingested.candidates + 1);
    for (const r of rows.slice(1)) expect(Number(r.split(',')[1])).toBeGreaterThanOrEqual(0);
  });

  it('labels import takes a candidateId,label CSV; export writes the journal back; conflicts are never overwritten', () => {
    const ids = (
      readFileSync(path.join(tmp, 'scores.csv'), 'utf8').trim().split('\n').slice(1) as string[]
    ).map((l) => l.split(',')[0]);
    const file = path.join(tmp, 'mine.csv');
    writeFileSync(
      file,
      `candidateId,label\n${ids[0]},real\n${ids[1]},bogus\n${ids[2]},real\nnot-here,real\n`,
    );
    const r = json('labels', 'import', file, '--workspace', ws);
    expect(r).toMatchObject({ imported: 3, unknownIds: 1 });
    expect(json('status', '--workspace', ws).labels).toEqual({ real: 2, bogus: 1, skip: 0 });

    const other = path.join(tmp, 'theirs.csv');
    writeFileSync(other, `candidateId,label\n${ids[0]},bogus\n`);
    expect(json('labels', 'import', other, '--workspace', ws)).toMatchObject({ imported: 0, conflicts: 1 });
    expect(json('status', '--workspace', ws).labels).toEqual({ real: 2, bogus: 1, skip: 0 });

    const out = path.join(tmp, 'exported.csv');
    expect(cli('labels', 'export', '--workspace', ws, '--out', out)).toMatch(/wrote 3 labels/);
    const text = readFileSync(out, 'utf8');
    for (const id of ids.slice(0, 3)) expect(text).toContain(id);
  });

  it('models lists the library with the active version marked; an imported braai becomes the model of 63x63 stamps', () => {
    const before = json('models');
    expect(before.activeModel).toBe(ingested.scoredBy);
    expect(before.models.map((m: { version: string }) => m.version)).toContain(ingested.scoredBy);
    expect(cli('import-model', path.join(SHARED_MODELS, 'braai-d6_m7'))).toMatch(/imported braai-d6_m7/);
    const after = json('models');
    expect(after.activeBySize).toEqual({ '63x63': 'braai-d6_m7' });
    const braai = after.models.find((m: { version: string }) => m.version === 'braai-d6_m7');
    expect(braai).toMatchObject({ kind: 'imported', input: { size: [63, 63] } });
    expect(cli('models')).toMatch(/63x63 stamps are scored by braai-d6_m7/);
  });

  it('refuses what it cannot do, with the reason', () => {
    expect(() =>
      cli('scores', '--workspace', ws, '--out', path.join(tmp, 'x.csv'), '--model', 'nope'),
    ).toThrow(/nope has not scored/);
    expect(() => cli('import-model', tmp)).toThrow(/no model\.json here/);
    expect(() => cli('labels', 'frobnicate', '--workspace', ws)).toThrow(/labels needs a subcommand/);
  });
});
