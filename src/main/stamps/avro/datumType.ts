import avro from 'avsc';
import { repairSchema, type SchemaRepair } from './schemaRepair';

/**
 * Avro longs decoded as exact decimal strings. ZTF candids (~2e18) and Rubin diaSourceIds
 * exceed 2^53, where JS numbers silently lose digits; avsc's default long type would refuse
 * or round them. Numeric longs that we need as numbers are converted by the mapper.
 */
export const decimalLongType = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer) => buf.readBigInt64LE(0).toString(),
  toBuffer: (s: string) => {
    const buf = Buffer.alloc(8);
    buf.writeBigInt64LE(BigInt(s));
    return buf;
  },
  fromJSON: (v: unknown) => String(v),
  toJSON: (s: string) => s,
  isValid: (v: unknown) => typeof v === 'string' && /^-?\d+$/.test(v),
  compare: (a: string, b: string) => {
    const x = BigInt(a);
    const y = BigInt(b);
    return x === y ? 0 : x < y ? -1 : 1;
  },
});

export interface CompiledSchema {
  type: avro.Type;
  /** Parsed (unrepaired) writer schema, for survey detection. */
  raw: unknown;
  repairs: SchemaRepair[];
}

// Every packet of a stream repeats the same schema; compiling a ZTF schema costs ~ms.
const cache = new Map<string, CompiledSchema>();
const CACHE_MAX = 64;

/** Throws with a plain message when the schema cannot be parsed or resolved even after repair. */
export function compileSchema(schemaJson: string): CompiledSchema {
  const hit = cache.get(schemaJson);
  if (hit) return hit;
  let raw: unknown;
  try {
    raw = JSON.parse(schemaJson);
  } catch (e) {
    throw new Error(`the embedded schema is not valid JSON (${(e as Error).message})`);
  }
  const { schema, repairs } = repairSchema(raw);
  let type: avro.Type;
  try {
    type = avro.Type.forSchema(schema as avro.Schema, {
      registry: { long: decimalLongType },
      // Unknown logical types (timestamps etc.) decode as their underlying type.
      wrapUnions: 'auto',
      typeHook: guardedCollections,
    });
  } catch (e) {
    throw new Error(`the embedded schema cannot be resolved (${(e as Error).message})`);
  }
  const compiled = { type, raw, repairs };
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
  cache.set(schemaJson, compiled);
  return compiled;
}

/** The parts of avsc's Tap (its byte cursor) that the guarded readers use. */
interface Tap {
  buf: Buffer;
  pos: number;
  readLong(): number;
  readString(): string;
  skipLong(): void;
  _invalidate(): void;
}
type Reader = { _read(tap: Tap): unknown };

/**
 * Reads the item count of the next block of an array or map. avsc trusts it: a corrupt count of
 * 2^27 in a 40-byte packet made it loop for 19 s (and allocate gigabytes) before failing. Each item
 * takes at least one byte in every alert schema, so a count above the bytes left is corrupt: the
 * tap is invalidated (the decode then reports the record as cut short) and 0 ends the loop.
 */
function blockCount(tap: Tap): number {
  let n = tap.readLong();
  if (n < 0) {
    n = -n;
    tap.skipLong();
  }
  if (!(n <= tap.buf.length - tap.pos)) {
    tap._invalidate();
    return 0;
  }
  return n;
}

// avsc freezes its type instances, so the bounded readers are subclasses chosen by a typeHook.
class GuardedArrayType extends avro.types.ArrayType {
  _read(tap: Tap): unknown[] {
    const items = this.itemsType as unknown as Reader;
    const out: unknown[] = [];
    for (let n = blockCount(tap); n > 0; n = blockCount(tap))
      for (let i = 0; i < n; i++) out.push(items._read(tap));
    return out;
  }
}

class GuardedMapType extends avro.types.MapType {
  _read(tap: Tap): Record<string, unknown> {
    const values = this.valuesType as Reader;
    const out: Record<string, unknown> = {};
    for (let n = blockCount(tap); n > 0; n = blockCount(tap)) {
      for (let i = 0; i < n; i++) {
        const key = tap.readString();
        out[key] = values._read(tap);
      }
    }
    return out;
  }
}

function guardedCollections(schema: avro.Schema, opts: avro.ForSchemaOptions): avro.Type | undefined {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return undefined;
  const type = (schema as { type?: unknown }).type;
  if (type === 'array') return new GuardedArrayType(schema, opts);
  if (type === 'map') return new GuardedMapType(schema, opts);
  return undefined;
}
