import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Workspace, type NewCandidate } from '../../../src/main/catalog/workspace';
import { decodeTriplet, encodeTriplet } from '../../../src/main/catalog/stampPack';
import type { StampImage, StampTriplet } from '../../../src/shared/stamp';

function image(w: number, h: number, seed: number): StampImage {
  const data = new Float32Array(w * h).map((_, i) => Math.sin(i * 0.37 + seed) * 100);
  const mask = new Uint8Array(w * h).fill(1);
  mask[0] = 0;
  data[0] = 0;
  return { width: w, height: h, data, mask };
}

function candidate(id: string, withTemplate = true): NewCandidate & { triplet: StampTriplet } {
  return {
    id,
    source: 'des',
    origin: {
      search: `srch${id}.fits`,
      template: withTemplate ? `temp${id}.fits` : null,
      difference: `diff${id}.fits`,
    },
    meta: { mjd: 60000.5, band: 'r', ra: 10, dec: -5 },
    given: { label: 'real', scores: { rb: 0.9 } },
    triplet: {
      search: image(51, 51, 1),
      template: withTemplate ? image(51, 51, 2) : null,
      difference: image(41, 63, 3),
    },
  };
}

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'skysift-ws-'));

describe('packed stamps', () => {
  it('round-trip exactly, with true sizes, masks and a missing template', () => {
    for (const withTemplate of [true, false]) {
      const c = candidate('1', withTemplate);
      const back = decodeTriplet(encodeTriplet(c.triplet));
      expect(back.search).toEqual(c.triplet.search);
      expect(back.template).toEqual(c.triplet.template);
      expect(back.difference.width).toBe(41);
      expect(back.difference.height).toBe(63);
      expect(back.difference).toEqual(c.triplet.difference);
    }
  });

  it('refuse a record that is not ours or is cut short', () => {
    expect(() => decodeTriplet(Buffer.from('hello world'))).toThrow(/not a packed stamp/);
    const buf = encodeTriplet(candidate('1').triplet);
    expect(() => decodeTriplet(buf.subarray(0, buf.length - 10))).toThrow(/truncated/);
  });
});

describe('the workspace', () => {
  it('refuses to open a folder that is not a workspace unless asked to create one', async () => {
    const dir = tmp();
    await expect(Workspace.open(dir)).rejects.toThrow(/no workspace here/);
    const ws = await Workspace.open(dir, { create: true, name: 'night' });
    expect(ws.summary(null)).toMatchObject({ name: 'night', candidates: 0, simulated: false });
  });

  it('appends parts atomically, skips ids it has, and reopens without re-reading stamps', async () => {
    const dir = tmp();
    const ws = await Workspace.open(dir, { create: true });
    await ws.appendPart([candidate('1'), candidate('2', false)]);
    const again = await ws.appendPart([candidate('2'), candidate('3')]);
    expect(again.map((e) => e.id)).toEqual(['3']);
    const reopened = await Workspace.open(dir);
    expect(reopened.list().map((e) => e.id)).toEqual(['1', '2', '3']);
    expect(reopened.get('1')).toMatchObject({
      meta: { band: 'r' },
      given: { label: 'real', scores: { rb: 0.9 } },
    });
    const t = await reopened.readTriplet('2');
    expect(t.template).toBeNull();
    expect(t.search.data[5]).toBeCloseTo(Math.sin(5 * 0.37 + 1) * 100, 4);
    const streamed = [];
    for await (const { entry } of reopened.iterateTriplets()) streamed.push(entry.id);
    expect(streamed).toEqual(['1', '2', '3']);
  });

  it('fills a part while it is written: nothing visible until it lands, the same bytes as appendPart', async () => {
    const dir = tmp();
    const ws = await Workspace.open(dir, { create: true });
    const part = await ws.openPart();
    // Packed records (as decoder threads send) and decoded triplets, several adds, a duplicate id.
    const packed = (c: ReturnType<typeof candidate>) => ({
      ...c,
      triplet: undefined,
      packed: encodeTriplet(c.triplet),
    });
    expect(await part.add([candidate('1'), packed(candidate('2', false))])).toBe(2);
    expect(await part.add([candidate('2'), packed(candidate('3'))])).toBe(1);
    // A part appended meanwhile takes the next number; the open one is still invisible.
    await ws.appendPart([candidate('9')]);
    expect(ws.has('1')).toBe(false);
    const listed = () => readdirSync(path.join(dir, 'stamps')).sort();
    expect(listed().filter((n) => !n.startsWith('.'))).toEqual(['part-000002.bin']);
    const landed = await part.commit();
    expect(landed.map((e) => [e.id, e.stamp.part])).toEqual([
      ['1', 1],
      ['2', 1],
      ['3', 1],
    ]);
    const reopened = await Workspace.open(dir);
    expect(reopened.list().map((e) => e.id)).toEqual(['1', '2', '3', '9']);
    // The part file holds exactly what appendPart writes for the same candidates.
    const other = await Workspace.open(tmp(), { create: true });
    await other.appendPart([candidate('1'), candidate('2', false), candidate('3')]);
    const bin = (d: string) => readFileSync(path.join(d, 'stamps', 'part-000001.bin'));
    expect(bin(dir).equals(bin(other.dir))).toBe(true);
    expect((await reopened.readTriplet('2')).template).toBeNull();
    // A part dropped leaves no file and frees its number.
    const dropped = await ws.openPart();
    await dropped.add([candidate('4')]);
    await dropped.abort();
    expect(listed()).toEqual(['part-000001.bin', 'part-000002.bin']);
    expect((await ws.appendPart([candidate('5')]))[0].stamp.part).toBe(3);
  });

  it('removes at the next open what a crash left of a part being filled, and keeps what landed', async () => {
    const dir = tmp();
    const ws = await Workspace.open(dir, { create: true });
    await ws.appendPart([candidate('1')]);
    // The temp files of a part that was filling when its process died (a pid that has exited).
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    const left = [
      path.join(dir, 'stamps', `.part-000002.bin.${gone}.0.tmp`),
      path.join(dir, 'catalog', `.part-000002.json.${gone}.1.tmp`),
    ];
    const longAgo = Date.now() / 1000 - 3600;
    for (const f of left) {
      writeFileSync(f, Buffer.alloc(4096));
      utimesSync(f, longAgo, longAgo);
    }
    const reopened = await Workspace.open(dir);
    for (const sub of ['stamps', 'catalog'])
      expect(readdirSync(path.join(dir, sub)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(reopened.list().map((e) => e.id)).toEqual(['1']);
    expect((await reopened.readTriplet('1')).search.width).toBe(51);
  });

  it('keeps scores per model and the active model', async () => {
    const dir = tmp();
    const ws = await Workspace.open(dir, { create: true });
    await ws.appendPart([candidate('1')]);
    await ws.writeScores('compact-v1', new Map([['1', 0.75]]));
    await ws.update({ activeModel: 'compact-v1', threshold: 0.5 });
    const reopened = await Workspace.open(dir);
    expect(reopened.settings.activeModel).toBe('compact-v1');
    expect(reopened.scores('compact-v1')?.get('1')).toBe(0.75);
  });

  it('names the damaged file when a workspace file is broken', async () => {
    const dir = tmp();
    const ws = await Workspace.open(dir, { create: true });
    await ws.appendPart([candidate('1')]);
    writeFileSync(path.join(dir, 'catalog', 'part-000009.json'), '{"part": 9, "entries": [{"id": 1}');
    await expect(Workspace.open(dir)).rejects.toThrow(/part-000009\.json: damaged catalog part/);
    writeFileSync(path.join(dir, 'workspace.json'), '{nope');
    await expect(Workspace.open(dir)).rejects.toThrow(/workspace\.json: not readable as JSON/);
  });
});
