/**
 * Ingest rejections as the Night panel shows them ("file: reason"): the file named once, the Avro
 * magic readable, the not-FITS advice fitting a stamp-folder user and an Avro user alike.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Workspace } from '../../../src/main/catalog/workspace';
import { runIngest } from '../../../src/main/worker/ingest/ingest';
import { namedOnce } from '../../../src/main/stamps/sources/types';
import { card, imageFile } from './fits/fitsBuilder';

const tmp = (p: string) => mkdtempSync(path.join(os.tmpdir(), `skysift-${p}-`));
const count = (text: string, part: string) => text.split(part).length - 1;

describe('ingest rejection messages', () => {
  it('name each file once, show the Avro magic readably and give advice that fits an Avro user', async () => {
    const dir = tmp('msg');
    const good = imageFile(
      -32,
      8,
      8,
      Array.from({ length: 64 }, (_, i) => i),
      [card('FILTER', 'r')],
    );
    writeFileSync(path.join(dir, 'ok.fits'), good);
    // JPEG bytes under a .fits name (as a broker's JPEG cutout saved to disk would be).
    writeFileSync(path.join(dir, 'pic.fits'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 74, 70, 73, 70]));
    writeFileSync(
      path.join(dir, 'm.csv'),
      ['id,sci,ref,diff', 'a,ok.fits,,ok.fits', 'b,ok.fits,,pic.fits'].join('\n'),
    );
    writeFileSync(path.join(dir, 'not-a-container.avro'), Buffer.from('{"candid": 1}'));
    const ws = await Workspace.open(tmp('ws'), { create: true });
    const csvReport = await runIngest(ws, path.join(dir, 'm.csv'));
    const avroReport = await runIngest(ws, path.join(dir, 'not-a-container.avro'));
    const rejected = [...csvReport.rejected, ...avroReport.rejected];
    expect(rejected).toHaveLength(2);
    for (const r of rejected) {
      const line = `${r.file}: ${r.reason}`;
      // The base name may appear inside the reason only when it names another file; these do not.
      expect(count(line, path.join(dir, 'pic.fits')) + count(line, 'not-a-container.avro'), line).toBe(1);
    }
    const jpeg = rejected.find((r) => /JPEG/.test(r.reason))!;
    expect(jpeg.reason).toMatch(
      /without the pixel values Skysift needs; use FITS stamps \(\.fits, \.fits\.gz, \.fits\.fz\) or alert packets whose cutouts are FITS/,
    );
    expect(jpeg.reason).not.toMatch(/point Skysift at/);
    const avro = rejected.find((r) => /Avro/.test(r.reason))!;
    expect(avro.reason).toMatch(/hex 4F 62 6A 01/);
    expect(avro.reason).not.toContain('\\x01');
    expect([...avro.reason].every((ch) => ch.charCodeAt(0) >= 0x20)).toBe(true);
  });

  it('namedOnce drops a leading copy of the file, and keeps which cutout it was', () => {
    expect(namedOnce({ file: '/a/b.fits', reason: '/a/b.fits: not FITS' })).toEqual({
      file: '/a/b.fits',
      reason: 'not FITS',
    });
    expect(namedOnce({ file: '/x.avro#7', reason: '/x.avro#7 (science cutout): not FITS' })).toEqual({
      file: '/x.avro#7',
      reason: 'science cutout: not FITS',
    });
    const other = { file: '/a/srch3.fits', reason: '/a/diff3.fits: truncated' };
    expect(namedOnce(other)).toBe(other);
  });
});
