/**
 * Real FITS stamps through ingest and back: the stamp records stored for the 358 triplets of
 * ../shared/data/real-stamps (gzipped ZTF with NaN and fill pixels, edge-truncated stamps, float64
 * WINTER, ATLAS without template) are the bytes the reader stored before ingest was sped up (their
 * SHA-256, taken then), the same in-process and through the decoder threads, and every stamp read
 * back from the workspace is, bit for bit, what decoding the original file gives.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Workspace } from '../../../src/main/catalog/workspace';
import { readImageFile } from '../../../src/main/stamps/sources/readImageFile';
import { DECODER_FILE } from '../../../src/main/worker/ingest/decodePool';
import { runIngest } from '../../../src/main/worker/ingest/ingest';
import type { StampImage } from '../../../src/shared/stamp';
import { HAVE_SHARED, sharedPath } from '../helpers/shared';

const decoder = path.resolve(__dirname, '../../../out/main', DECODER_FILE);
const HAVE_DECODER = existsSync(decoder);
if (!HAVE_DECODER)
  console.warn(`[skysift tests] ${decoder} is absent (no build): the decoder-thread round trip is skipped.`);

/** SHA-256 of the part files (stamps/part-*.bin, in order) that ingest stored for real-stamps/index.csv. */
const STORED_SHA256 = '77524bbf30796b5067144d771abc7c79aab86e87d686ff250c393e2cc149151c';

function storedHash(ws: Workspace): string {
  const h = createHash('sha256');
  const dir = path.join(ws.dir, 'stamps');
  for (const f of readdirSync(dir)
    .filter((f) => f.endsWith('.bin'))
    .sort())
    h.update(readFileSync(path.join(dir, f)));
  return h.digest('hex');
}

/** The float bits and the mask, compared as bytes: NaN and -0 must match too. */
function bits(img: StampImage): { width: number; height: number; data: string; mask: string } {
  const data = Buffer.from(Float32Array.from(img.data).buffer).toString('base64');
  return { width: img.width, height: img.height, data, mask: Buffer.from(img.mask).toString('base64') };
}

async function ingest(decoderFile: string | null): Promise<Workspace> {
  const ws = await Workspace.open(mkdtempSync(path.join(os.tmpdir(), 'skysift-roundtrip-')), {
    create: true,
  });
  const report = await runIngest(ws, sharedPath('real-stamps', 'index.csv'), {
    decoder: decoderFile,
    threads: 2,
  });
  expect(report.rejected).toEqual([]);
  expect(report.added).toBe(358);
  return ws;
}

describe.skipIf(!HAVE_SHARED)('real FITS stamps: stored bytes and read-back (../shared)', () => {
  it('in-process: the stored records are the earlier bytes, and each stamp reads back as decoded', async () => {
    const ws = await ingest(null);
    expect(storedHash(ws)).toBe(STORED_SHA256);
    let compared = 0;
    for (const e of ws.list()) {
      const back = await ws.readTriplet(e.id);
      const files = [e.origin.search, e.origin.template, e.origin.difference] as const;
      const stored = [back.search, back.template, back.difference];
      for (let k = 0; k < 3; k++) {
        const file = files[k];
        expect(stored[k] === null, `${e.id} image ${k}`).toBe(file === null);
        if (file === null) continue;
        const { image } = await readImageFile(file);
        // A stamp holds float32 values, masked pixels as 0 (the packed record's convention).
        expect(bits(stored[k]!), `${file}`).toEqual(bits(image));
        compared++;
      }
    }
    // 358 triplets; ATLAS (32 rows, a few repeated ids) sends no template.
    expect(compared).toBeGreaterThan(2 * 358);
  });

  it.skipIf(!HAVE_DECODER)('decoder threads store the same bytes and catalog as in-process', async () => {
    const threaded = await ingest(decoder);
    const inProcess = await ingest(null);
    expect(storedHash(threaded)).toBe(STORED_SHA256);
    expect(threaded.list()).toEqual(inProcess.list());
  });
});
