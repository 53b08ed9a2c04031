/** Reading fields of a decoded datum: longs are decimal strings (see datumType.ts), bytes are Buffers. */
export type Datum = Record<string, unknown>;

export const JD_TO_MJD = 2400000.5;
/** AB magnitude of 1 nJy: m = 31.4 - 2.5 log10(f / nJy). */
export const NJY_AB_ZERO = 31.4;

export function obj(v: unknown): Datum | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array)
    ? (v as Datum)
    : undefined;
}

export function num(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  // Longs arrive as decimal strings.
  if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  return undefined;
}

export function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  return undefined;
}

/** Drops the keys whose value is undefined (so absent fields stay absent in JSON and in tests). */
export function clean<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

/** ZTF 't'/'1' positive, 'f'/'0' negative; WINTER stores a boolean. */
export function diffSign(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v !== 'string') return undefined;
  const s = v.trim().toLowerCase();
  if (s === 't' || s === '1' || s === 'true') return true;
  if (s === 'f' || s === '0' || s === 'false') return false;
  return undefined;
}
