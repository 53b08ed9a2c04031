/**
 * Packed stamps: every candidate's triplet decoded once at ingest and appended to a part file,
 * so the desk and the engine read one contiguous record instead of re-parsing three FITS files
 * (or a whole Avro packet) each time.
 *
 * Record layout (little-endian): "SKS1", u8 flags (bit 0: has template), 3 pad bytes, then per
 * image (search, [template], difference): u16 width, u16 height, f32 data[w*h], u8 mask[w*h].
 */
import type { StampImage, StampTriplet } from '../../shared/stamp';

const MAGIC = 0x31534b53; // "SKS1" read as little-endian u32
const EMPTY = Buffer.alloc(0);

function imageBytes(img: StampImage): number {
  return 4 + img.width * img.height * 5;
}

/** A record's 8-byte head at `at`: the magic, the flags, the pad bytes (written: buffers are unzeroed). */
function writeRecordHead(buf: Buffer, at: number, hasTemplate: boolean): void {
  buf.writeUInt32LE(MAGIC, at);
  buf.writeUInt8(hasTemplate ? 1 : 0, at + 4);
  buf.fill(0, at + 5, at + 8);
}

/** The size fields are u16: a larger image is refused before anything is written or allocated. */
function assertPackable(width: number, height: number): void {
  if (width > 0xffff || height > 0xffff) throw new Error(`stamp too large to pack: ${width}x${height}`);
}

/** An image's 4-byte head at `at`: its size. */
function writeImageHead(buf: Buffer, at: number, width: number, height: number): void {
  buf.writeUInt16LE(width, at);
  buf.writeUInt16LE(height, at + 2);
}

/**
 * Stamp records written side by side into one growing buffer, image by image as they are decoded
 * (the FITS reader writes each image's pixels straight to its place): what a decoder thread hands
 * over for a batch, with no per-image arrays and no copy into a record afterwards.
 */
export class RecordWriter {
  private buf: Buffer;
  private used = 0;
  /** The size to allocate when a batch starts with no buffer (after take(), none handed back). */
  private nextBytes: number;

  constructor(private readonly initialBytes = 1 << 20) {
    this.buf = Buffer.allocUnsafeSlow(initialBytes);
    this.nextBytes = initialBytes;
  }

  /**
   * Writes the next records into `buffer`, one the receiver of an earlier take() is done with: a
   * fresh buffer per batch costs its page faults on every first write (measured on ingest).
   * Only between batches (nothing written since the last take()).
   */
  adopt(buffer: ArrayBuffer): void {
    if (this.used !== 0) throw new Error('RecordWriter.adopt: records already written to the current buffer');
    this.buf = Buffer.from(buffer);
  }

  get length(): number {
    return this.used;
  }

  private room(n: number): void {
    if (this.used + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafeSlow(Math.max(this.used + n, 2 * this.buf.length, this.nextBytes));
    this.buf.copy(bigger, 0, 0, this.used);
    this.buf = bigger;
  }

  /** Starts a record; returns its offset (rollback(offset) drops it if an image fails). */
  begin(hasTemplate: boolean): number {
    const at = this.used;
    this.room(8);
    writeRecordHead(this.buf, at, hasTemplate);
    this.used += 8;
    return at;
  }

  /** Room for the record's next image; returns where its data and mask go (to be filled by the caller). */
  image(width: number, height: number): { out: Uint8Array; dataAt: number; maskAt: number } {
    assertPackable(width, height);
    const n = width * height;
    this.room(4 + 5 * n);
    const at = this.used;
    writeImageHead(this.buf, at, width, height);
    this.used += 4 + 5 * n;
    return { out: this.buf, dataAt: at + 4, maskAt: at + 4 + 4 * n };
  }

  rollback(at: number): void {
    this.used = at;
  }

  /**
   * The buffer holding the records written so far (bytes 0..length; transferable, not copied). The
   * writer starts afresh: on a buffer handed back (adopt), or else on one allocated at the first
   * record, sized for a batch like this one so that it seldom grows.
   */
  take(): ArrayBuffer {
    // Never EMPTY's own: the receiver may transfer (detach) what it gets.
    const done = this.buf === EMPTY ? new ArrayBuffer(0) : (this.buf.buffer as ArrayBuffer);
    this.nextBytes = Math.max(this.initialBytes, Math.ceil(this.used * 1.1));
    this.buf = EMPTY;
    this.used = 0;
    return done;
  }
}

export function encodeTriplet(t: StampTriplet): Buffer {
  const images = t.template ? [t.search, t.template, t.difference] : [t.search, t.difference];
  for (const img of images) assertPackable(img.width, img.height);
  // Unzeroed: every byte is written (the pad bytes explicitly); zeroing cost as much as the copy.
  const buf = Buffer.allocUnsafe(8 + images.reduce((s, img) => s + imageBytes(img), 0));
  writeRecordHead(buf, 0, t.template !== null);
  let off = 8;
  for (const img of images) {
    const n = img.width * img.height;
    writeImageHead(buf, off, img.width, img.height);
    off += 4;
    buf.set(new Uint8Array(img.data.buffer, img.data.byteOffset, n * 4), off);
    off += n * 4;
    buf.set(img.mask.subarray(0, n), off);
    off += n;
  }
  return buf;
}

/** An image's head: its size, where its pixels start, and the check that the record holds them. */
function imageHead(buf: Buffer, off: number): { width: number; height: number; n: number; at: number } {
  if (off + 4 > buf.length) throw new Error('packed stamp record is truncated');
  const width = buf.readUInt16LE(off);
  const height = buf.readUInt16LE(off + 2);
  const n = width * height;
  if (off + 4 + n * 5 > buf.length) throw new Error('packed stamp record is truncated');
  return { width, height, n, at: off + 4 };
}

/** Reads the image at `off` (of image slot `slot`: 0 search, 1 template, 2 difference); returns it and the offset past it. */
type ImageReader = (buf: Buffer, off: number, slot: number) => [StampImage, number];

/** The record walk both readers share: magic, template flag, then the images in order. */
function readTriplet(buf: Buffer, image: ImageReader): StampTriplet {
  if (buf.length < 8 || buf.readUInt32LE(0) !== MAGIC) throw new Error('not a packed stamp record');
  const hasTemplate = (buf.readUInt8(4) & 1) === 1;
  const [search, o1] = image(buf, 8, 0);
  let off = o1;
  let template: StampImage | null = null;
  if (hasTemplate) [template, off] = image(buf, off, 1);
  const [difference] = image(buf, off, 2);
  return { search, template, difference };
}

function decodeImage(buf: Buffer, off: number): [StampImage, number] {
  const { width, height, n, at } = imageHead(buf, off);
  // Copy so the result is aligned and independent of the read buffer.
  const data = new Float32Array(n);
  Buffer.from(data.buffer).set(buf.subarray(at, at + n * 4));
  const mask = new Uint8Array(buf.subarray(at + n * 4, at + n * 5));
  return [{ width, height, data, mask }, at + n * 5];
}

export function decodeTriplet(buf: Buffer): StampTriplet {
  return readTriplet(buf, decodeImage);
}

/**
 * Arrays reused by viewTriplet from one record to the next (one per image slot), so that reading
 * a run of records for scoring allocates nothing per image.
 */
export class TripletScratch {
  readonly data: Float32Array[] = [new Float32Array(0), new Float32Array(0), new Float32Array(0)];

  floats(slot: number, n: number): Float32Array {
    if (this.data[slot].length < n) this.data[slot] = new Float32Array(n);
    return this.data[slot].subarray(0, n);
  }
}

function viewImage(buf: Buffer, off: number, slot: number, scratch: TripletScratch): [StampImage, number] {
  const { width, height, n, at: start } = imageHead(buf, off);
  const at = buf.byteOffset + start;
  // Pixels on a 4-byte boundary are read in place; others (after an odd-sized image) are copied
  // into the slot's scratch, a plain byte copy: the same floats, bit for bit.
  let data: Float32Array;
  if (at % 4 === 0) data = new Float32Array(buf.buffer, at, n);
  else {
    data = scratch.floats(slot, n);
    new Uint8Array(data.buffer, data.byteOffset, n * 4).set(buf.subarray(start, start + n * 4));
  }
  // A plain Uint8Array (not a Buffer, a subclass): preprocessing's loops then see one kind of mask.
  const mask = new Uint8Array(buf.buffer, at + n * 4, n);
  return [{ width, height, data, mask }, start + n * 5];
}

/**
 * The triplet of a record without copying it: masks are views of `buf`, pixel data views of `buf`
 * or of `scratch`. Valid until `buf` or `scratch` is used again: for reading a run of records one
 * at a time (scoring), where decodeTriplet's fresh arrays per image cost as much as the read.
 */
export function viewTriplet(buf: Buffer, scratch: TripletScratch): StampTriplet {
  return readTriplet(buf, (b, off, slot) => viewImage(b, off, slot, scratch));
}
