import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { show } from '../../../src/cli/commands/show';
import { openClient } from '../../../src/cli/client';
import { Workspace } from '../../../src/main/catalog/workspace';
import { runIngest } from '../../../src/main/worker/ingest/ingest';
import { CandidateContextResultSchema } from '../../../src/shared/context';
import { HAVE_SHARED, sharedPath } from '../helpers/shared';

/** What `show` printed, one console.log call per entry. */
async function run(argv: string[]): Promise<string> {
  const out: string[] = [];
  const client = openClient();
  const spy = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  try {
    await show(client, argv);
  } finally {
    spy.mockRestore();
    client.stop();
  }
  return out.join('\n');
}

describe.skipIf(!HAVE_SHARED)('skysift show on SN 2021rhu', () => {
  let dir: string;
  let last: string;
  let first: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'skysift-show-'));
    const ws = await Workspace.open(dir, { create: true });
    await runIngest(ws, sharedPath('alerts', 'ztf-sn2021rhu'), { decoder: null });
    const byTime = [...ws.list()].sort((a, b) => a.meta.mjd! - b.meta.mjd!);
    first = byTime[0].id;
    last = byTime[byTime.length - 1].id;
  });
  afterEach(() => vi.restoreAllMocks());

  it('--json: the context and the light curve of the object, valid against the contract', async () => {
    const printed = JSON.parse(await run([last, '--workspace', dir, '--json']));
    expect(printed.workspace).toBe(path.resolve(dir));
    const ctx = CandidateContextResultSchema.parse(printed);
    expect(ctx.id).toBe(last);
    expect(ctx.object).toBe('ZTF21abiuvdk');
    // More points than packets: the non-detection limits of the packets come in too.
    expect(ctx.lightCurve.length).toBeGreaterThan(34);
    expect(ctx.lightCurve[0]).toEqual({
      band: 'g',
      time: expect.closeTo(59382.4353241, 5),
      mag: null,
      magErr: null,
      limit: expect.closeTo(20.3547, 3),
      flux: null,
      fluxErr: null,
      kind: 'limit',
      negative: false,
      candidateId: null,
      night: null,
    });
    const me = ctx.lightCurve.find((p) => p.candidateId === last)!;
    expect(me).toMatchObject({ band: 'g', kind: 'detection', mag: expect.closeTo(15.5954, 3) });
  });

  it('text: facts, rates and the table with this epoch marked', async () => {
    const text = await run([last, '--workspace', dir]);
    expect(text).toContain(`candidate ${last}, object ZTF21abiuvdk`);
    expect(text).toMatch(/the survey counts 168 detection\(s\)/);
    expect(text).toMatch(/nearest catalogued source: 3\.88" away, star\/galaxy score 0\.50/);
    expect(text).toMatch(/band g: \+\d\.\d{3} mag\/day .* \(fading\)/);
    expect(text).toMatch(/34 epochs of this object in this night/);
    expect(text.split('\n').filter((l) => l.startsWith('*'))).toHaveLength(1);
    const early = await run([first, '--workspace', dir]);
    expect(early).toMatch(/this epoch: MJD 59396\.40469, band r, mag 15\.66/);
  });

  it('an unknown id is an error naming it', async () => {
    await expect(run(['nope', '--workspace', dir])).rejects.toThrow(/candidate nope is not in this night/);
    await expect(run(['--workspace', dir])).rejects.toThrow(/usage: skysift show/);
  });
});
