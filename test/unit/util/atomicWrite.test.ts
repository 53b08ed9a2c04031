import { spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  GrowingFile,
  STALE_TMP_AGE_MS,
  stageFile,
  sweepStaleTemps,
  writeFileAtomic,
  writeFileAtomicSync,
} from '../../../src/main/util/atomicWrite';

const root = mkdtempSync(path.join(tmpdir(), 'skysift-atomic-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('writeFileAtomic', () => {
  it('writes and replaces, with and without fsync, leaving no temp file', async () => {
    const dir = path.join(root, 'a');
    mkdirSync(dir);
    const f = path.join(dir, 'x.json');
    await writeFileAtomic(f, 'one');
    writeFileAtomicSync(f, new Uint8Array([116, 119, 111]), { fsync: false });
    expect(readFileSync(f, 'utf8')).toBe('two');
    await writeFileAtomic(f, 'three', { fsync: false });
    writeFileAtomicSync(f, 'four');
    expect(readFileSync(f, 'utf8')).toBe('four');
    expect(readdirSync(dir)).toEqual(['x.json']);
  });

  it('keeps concurrent writes of one file apart: each completes, one wins whole', async () => {
    const dir = path.join(root, 'b');
    mkdirSync(dir);
    const f = path.join(dir, 'y.txt');
    const bodies = Array.from({ length: 20 }, (_, i) => `body ${i} `.repeat(1000));
    await Promise.all(bodies.map((b) => writeFileAtomic(f, b)));
    expect(bodies).toContain(readFileSync(f, 'utf8'));
    expect(readdirSync(dir)).toEqual(['y.txt']);
  });

  it('fails naming the file, and removes its temp file, when the rename cannot happen', async () => {
    const dir = path.join(root, 'c');
    mkdirSync(path.join(dir, 'taken'), { recursive: true });
    const target = path.join(dir, 'taken'); // a directory: nothing can be renamed over it
    await expect(writeFileAtomic(target, 'x')).rejects.toThrow(/taken/);
    expect(() => writeFileAtomicSync(target, 'x')).toThrow(/taken/);
    expect(readdirSync(dir)).toEqual(['taken']);
    await expect(writeFileAtomic(path.join(root, 'missing', 'z'), 'x')).rejects.toThrow(/missing/);
  });

  it('writes pieces in order (past IOV_MAX) and stages files unseen until committed', async () => {
    const dir = path.join(root, 'd');
    mkdirSync(dir);
    const pieces = Array.from({ length: 3000 }, (_, i) => Buffer.from(`${i},`));
    const f = path.join(dir, 'pieces.txt');
    await writeFileAtomic(f, pieces);
    expect(readFileSync(f, 'utf8')).toBe(pieces.join(''));
    const g = path.join(dir, 'staged.txt');
    const staged = await stageFile(g, [Buffer.from('a'), new Uint8Array([98])]);
    expect(readdirSync(dir).filter((n) => n.startsWith('staged'))).toEqual([]);
    await staged.commit();
    expect(readFileSync(g, 'utf8')).toBe('ab');
    const dropped = await stageFile(path.join(dir, 'dropped.txt'), 'x');
    await dropped.discard();
    expect(readdirSync(dir).sort()).toEqual(['pieces.txt', 'staged.txt']);
  });

  it('grows a file piece by piece, flushing as it goes, and lands it whole or not at all', async () => {
    const dir = path.join(root, 'e');
    mkdirSync(dir);
    const f = path.join(dir, 'grown.bin');
    // A flush after every write, and pieces appended while earlier writes and flushes are in flight.
    const g = await GrowingFile.open(f, { syncEvery: 1 });
    const expected: Buffer[] = [];
    for (let i = 0; i < 200; i++) {
      const piece = Buffer.from(`piece ${i};`);
      expected.push(piece);
      g.append(i % 3 ? [piece] : [piece.subarray(0, 3), piece.subarray(3)]);
      expect(g.size).toBe(Buffer.concat(expected).length);
      if (i % 7 === 0) await new Promise((r) => setImmediate(r));
      if (i % 50 === 0) await g.drain(10);
    }
    expect(readdirSync(dir)).not.toContain('grown.bin');
    const staged = await g.finish();
    expect(readdirSync(dir)).not.toContain('grown.bin');
    await staged.commit();
    expect(readFileSync(f).equals(Buffer.concat(expected))).toBe(true);
    const dropped = await GrowingFile.open(path.join(dir, 'dropped.bin'));
    dropped.append([Buffer.from('x')]);
    await dropped.discard();
    expect(readdirSync(dir)).toEqual(['grown.bin']);
  });
});

describe('sweepStaleTemps', () => {
  it("removes a cut-short write's temp file once its process is gone and it sat untouched, nothing else", () => {
    const dir = path.join(root, 'sweep');
    mkdirSync(dir);
    // A pid that existed and exited: the process that wrote it crashed.
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    const old = (Date.now() - STALE_TMP_AGE_MS - 60_000) / 1000;
    const put = (name: string, age: number | null) => {
      writeFileSync(path.join(dir, name), Buffer.alloc(1000));
      if (age !== null) utimesSync(path.join(dir, name), age, age);
    };
    put(`.part-000003.bin.${gone}.7.tmp`, old); // stale: goes
    put(`.part-000004.bin.${gone}.8.tmp`, null); // its writer gone, but touched just now (another host?): stays
    put(`.part-000005.bin.${process.pid}.9.tmp`, old); // this process's own, in flight: stays
    put('part-000001.bin', old); // data: stays
    put(`.notes.${gone}.tmp`, old); // not our naming: stays
    expect(sweepStaleTemps([dir, path.join(dir, 'missing')])).toEqual({ files: 1, bytes: 1000 });
    expect(readdirSync(dir).sort()).toEqual(
      [
        `.notes.${gone}.tmp`,
        `.part-000004.bin.${gone}.8.tmp`,
        `.part-000005.bin.${process.pid}.9.tmp`,
        'part-000001.bin',
      ].sort(),
    );
  });
});
