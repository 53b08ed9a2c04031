/** Raised by ByteReader when the bytes run out; the caller turns it into an AlertFileError. */
export class OutOfBytes extends Error {
  constructor(
    readonly offset: number,
    readonly wanted: number,
    readonly available: number,
  ) {
    super(`needs ${wanted} bytes at byte ${offset}, only ${available} remain`);
  }
}

/**
 * Bounds-checked reader for the container framing (not for datums: avsc reads those).
 * Every read either consumes at least one byte or throws, so corrupt lengths/counts cannot
 * make a loop spin forever.
 */
export class ByteReader {
  pos = 0;
  constructor(readonly bytes: Uint8Array) {}

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  /** Avro zigzag varint long. Exact up to 2^53, which is far beyond any size or count here. */
  readLong(): number {
    let n = 0;
    let scale = 1;
    let b: number;
    const start = this.pos;
    do {
      if (this.pos >= this.bytes.length)
        throw new OutOfBytes(start, this.pos - start + 1, this.bytes.length - start);
      if (this.pos - start >= 10) throw new RangeError(`varint longer than 10 bytes at byte ${start}`);
      b = this.bytes[this.pos++];
      n += (b & 0x7f) * scale;
      scale *= 128;
    } while (b & 0x80);
    return n % 2 === 1 ? -(n + 1) / 2 : n / 2;
  }

  readBytes(length: number): Uint8Array {
    if (length < 0) throw new RangeError(`negative length ${length} at byte ${this.pos}`);
    if (length > this.remaining) throw new OutOfBytes(this.pos, length, this.remaining);
    const out = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }
}
