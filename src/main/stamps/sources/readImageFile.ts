import { closeSync, existsSync, fstatSync, openSync, promises as fs, readSync } from 'node:fs';
import type { CandidateMeta } from '../../../shared/candidate';
import type { StampImage, StampTriplet } from '../../../shared/stamp';
import { FitsError, headerMeta, readStamp, type HduSelector } from '../fits';
import type { StampTarget } from '../fits/decode';
import { readStampInto } from '../fits/stamp';
import { formatBytes } from '../fits/constants';
import { readGifStamp } from './gifStamp';

/**
 * Largest stamp file read, on disk and once inflated. A stamp is a few kB; this only stops a huge
 * image (or a 1 GB file whose header lies) from being read whole into memory before any check.
 */
export const MAX_STAMP_FILE_BYTES = 256 * 1024 * 1024;

function tooBig(file: string, size: number): FitsError {
  return new FitsError(
    file,
    `the file is ${formatBytes(size)}, more than a stamp can be (${formatBytes(MAX_STAMP_FILE_BYTES)} cap); it was not read`,
    'point Skysift at the cutouts, not at full images',
  );
}

/**
 * A stamp path with an optional extension selector, as cfitsio, DS9 and astropy users write it:
 * `triplet.fits[2]` (HDU number, 0 = primary), `triplet.fits[DIFF]` (EXTNAME) or
 * `triplet.fits[SCI,2]` (EXTNAME, EXTVER): one multi-extension file can hold a whole triplet.
 * A file whose real name ends in brackets is taken as it is.
 */
export function splitHduSelector(spec: string): { file: string; hdu?: HduSelector } {
  const m = /^(.+)\[([^[\]]+)\]$/.exec(spec);
  if (!m || existsSync(spec)) return { file: spec };
  const sel = m[2].trim();
  if (/^\d+$/.test(sel)) return { file: m[1], hdu: Number(sel) };
  const [name, ver] = sel.split(',').map((x) => x.trim());
  return {
    file: m[1],
    hdu: ver !== undefined && /^\d+$/.test(ver) ? { extname: name, extver: Number(ver) } : { extname: sel },
  };
}

/** Decode one stamp file's bytes, FITS (optionally gzipped) or GIF, with its header's metadata. */
export function decodeImageBytes(
  bytes: Uint8Array,
  file: string,
  hdu?: HduSelector,
): { image: StampImage; meta: Partial<CandidateMeta> } {
  if (/\.gif$/i.test(file)) return { image: readGifStamp(bytes, file), meta: {} };
  const { image, header } = readStamp(bytes, file, { maxInflatedBytes: MAX_STAMP_FILE_BYTES, hdu });
  return { image, meta: headerMeta(header, image) };
}

/**
 * Read one stamp file (a path, with an optional [extension] selector), FITS (optionally gzipped or
 * tile-compressed) or GIF, with the metadata its header carries. Errors name the path as given.
 */
export async function readImageFile(
  spec: string,
): Promise<{ image: StampImage; meta: Partial<CandidateMeta> }> {
  const { file, hdu } = splitHduSelector(spec);
  const { size } = await fs.stat(file);
  if (size > MAX_STAMP_FILE_BYTES) throw tooBig(file, size);
  return decodeImageBytes(await fs.readFile(file), spec, hdu);
}

/** The files of one triplet (a DES triplet or a manifest row); a survey may send no template. */
export interface TripletFiles {
  search: string;
  template: string | null;
  difference: string;
}

/** A decoded triplet and the metadata of the search image's header. */
export interface DecodedTriplet {
  triplet: StampTriplet;
  meta: Partial<CandidateMeta>;
}

/**
 * A triplet as a decoder thread hands it over: its packed stamp record (catalog/stampPack.ts; a
 * view into the one buffer of its batch) and the search header's metadata.
 */
export interface PackedTriplet {
  packed: Uint8Array;
  meta: Partial<CandidateMeta>;
}

/**
 * Synchronous whole-file reads into one reused buffer, for ingest (decoder threads and in-process):
 * open + read + close (no fstat unless the file outgrows the buffer), no thread-pool round trip, no
 * fresh Buffer per file. The bytes returned are valid until the next call: decoding copies what it keeps.
 */
export class FileReader {
  private buf = Buffer.allocUnsafe(1 << 20);

  read(file: string): Uint8Array {
    const fd = openSync(file, 'r');
    try {
      let n = readSync(fd, this.buf, 0, this.buf.length, 0);
      // A short read of a regular file is its end; a full buffer means there may be more.
      while (n === this.buf.length) {
        const size = fstatSync(fd).size;
        if (size > MAX_STAMP_FILE_BYTES) throw tooBig(file, size);
        const bigger = Buffer.allocUnsafe(Math.max(size + 1, this.buf.length * 2));
        this.buf.copy(bigger, 0, 0, n);
        this.buf = bigger;
        n += readSync(fd, this.buf, n, this.buf.length - n, n);
      }
      return this.buf.subarray(0, n);
    } finally {
      closeSync(fd);
    }
  }
}

/** Ingest's triplet read: the first failing file's error, search first; the search header's metadata. */
export function readTripletSync(files: TripletFiles, reader: FileReader): DecodedTriplet {
  const search = splitHduSelector(files.search);
  const s = decodeImageBytes(reader.read(search.file), files.search, search.hdu);
  // Only the search header's metadata is kept: the other two skip headerMeta (WCS and all).
  const image = (spec: string) => {
    const { file, hdu } = splitHduSelector(spec);
    const bytes = reader.read(file);
    if (/\.gif$/i.test(file)) return readGifStamp(bytes, spec);
    return readStamp(bytes, spec, { maxInflatedBytes: MAX_STAMP_FILE_BYTES, hdu }).image;
  };
  const template = files.template ? image(files.template) : null;
  const difference = image(files.difference);
  return { triplet: { search: s.image, template, difference }, meta: s.meta };
}

/**
 * Where ingest writes packed stamp records as it decodes (catalog/stampPack.ts RecordWriter): a
 * record begun, then room for each of its images in turn, or the record dropped when one fails.
 */
export interface RecordSink {
  begin(hasTemplate: boolean): number;
  image(width: number, height: number): StampTarget;
  rollback(at: number): void;
  readonly length: number;
}

function packImage(
  bytes: Uint8Array,
  spec: string,
  gif: boolean,
  hdu: HduSelector | undefined,
  sink: RecordSink,
) {
  if (gif) {
    const img = readGifStamp(bytes, spec);
    const n = img.width * img.height;
    const t = sink.image(img.width, img.height);
    t.out.set(new Uint8Array(img.data.buffer, img.data.byteOffset, n * 4), t.dataAt);
    t.out.set(img.mask.subarray(0, n), t.maskAt);
    return null;
  }
  return readStampInto(bytes, spec, { maxInflatedBytes: MAX_STAMP_FILE_BYTES, hdu }, (w, h) =>
    sink.image(w, h),
  );
}

/**
 * readTripletSync writing the triplet as one packed stamp record into `sink` (the decoder threads'
 * path): the same files read in the same order, the same errors (the record is dropped), the same
 * stored bytes as packing readTripletSync's triplet. Returns where the record lies and the meta.
 */
export function readTripletPacked(
  files: TripletFiles,
  reader: FileReader,
  sink: RecordSink,
): { start: number; end: number; meta: Partial<CandidateMeta> } {
  const start = sink.begin(files.template !== null);
  try {
    const search = splitHduSelector(files.search);
    // GIF or FITS is told as readTripletSync tells it (the search by its path as given).
    const s = packImage(
      reader.read(search.file),
      files.search,
      /\.gif$/i.test(files.search),
      search.hdu,
      sink,
    );
    // Only the search header's metadata is kept, as in readTripletSync.
    const meta = s ? headerMeta(s.header, s) : {};
    for (const spec of files.template ? [files.template, files.difference] : [files.difference]) {
      const { file, hdu } = splitHduSelector(spec);
      packImage(reader.read(file), spec, /\.gif$/i.test(file), hdu, sink);
    }
    return { start, end: sink.length, meta };
  } catch (e) {
    sink.rollback(start);
    throw e;
  }
}
