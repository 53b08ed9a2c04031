import { promises as fs } from 'node:fs';
import type { CandidateMeta } from '../../../shared/candidate';
import type { StampImage } from '../../../shared/stamp';
import { headerMeta, readStamp } from '../fits';
import { readGifStamp } from './gifStamp';

/** Read one stamp file, FITS (optionally gzipped) or GIF, with the metadata its header carries. */
export async function readImageFile(
  file: string,
): Promise<{ image: StampImage; meta: Partial<CandidateMeta> }> {
  const bytes = await fs.readFile(file);
  if (/\.gif$/i.test(file)) return { image: readGifStamp(bytes, file), meta: {} };
  const { image, header } = readStamp(bytes, file);
  return { image, meta: headerMeta(header, image) };
}
