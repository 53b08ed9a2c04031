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
    });
  } catch (e) {
    throw new Error(`the embedded schema cannot be resolved (${(e as Error).message})`);
  }
  const compiled = { type, raw, repairs };
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
  cache.set(schemaJson, compiled);
  return compiled;
}
