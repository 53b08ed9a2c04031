/**
 * A minimal protobuf (proto3 wire format) writer for the few ONNX messages we emit, written by hand
 * so that exporting needs no protobuf library and no Python. Only what onnx.proto needs: varints
 * (int32/int64/enums), length-delimited fields (strings, bytes, sub-messages, packed repeated
 * scalars) and 32-bit floats. Field numbers live with the messages in ./onnxProto.ts.
 */

const WIRE_VARINT = 0;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

const utf8 = new TextEncoder();

/** Growable byte buffer with protobuf field encoders. */
export class ProtoWriter {
  private buf = new Uint8Array(256);
  private len = 0;

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  private byte(b: number): void {
    this.reserve(1);
    this.buf[this.len++] = b;
  }

  /** Unsigned or two's-complement (negative int64 -> 10 bytes) varint. */
  varint(value: number | bigint): this {
    let v = BigInt.asUintN(64, BigInt(value));
    if (v < 0x80n) {
      this.byte(Number(v));
      return this;
    }
    while (v >= 0x80n) {
      this.byte(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.byte(Number(v));
    return this;
  }

  private tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  bytes(data: Uint8Array): this {
    this.varint(data.length);
    this.reserve(data.length);
    this.buf.set(data, this.len);
    this.len += data.length;
    return this;
  }

  // --- fields -------------------------------------------------------------------------------

  int(field: number, value: number | bigint): this {
    this.tag(field, WIRE_VARINT);
    return this.varint(value);
  }

  float(field: number, value: number): this {
    this.tag(field, WIRE_I32);
    this.reserve(4);
    new DataView(this.buf.buffer, this.buf.byteOffset + this.len, 4).setFloat32(0, value, true);
    this.len += 4;
    return this;
  }

  string(field: number, value: string): this {
    this.tag(field, WIRE_LEN);
    return this.bytes(utf8.encode(value));
  }

  rawBytes(field: number, value: Uint8Array): this {
    this.tag(field, WIRE_LEN);
    return this.bytes(value);
  }

  message(field: number, write: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    write(inner);
    return this.rawBytes(field, inner.finish());
  }

  /** Packed repeated int64/int32. */
  packedInts(field: number, values: readonly (number | bigint)[]): this {
    const inner = new ProtoWriter();
    for (const v of values) inner.varint(v);
    return this.rawBytes(field, inner.finish());
  }

  /** Packed repeated float. */
  packedFloats(field: number, values: readonly number[]): this {
    const f = new Float32Array(values);
    return this.rawBytes(field, new Uint8Array(f.buffer));
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}
