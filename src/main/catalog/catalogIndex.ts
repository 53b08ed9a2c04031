/**
 * The catalog in memory, compact: ids and stamp locations in typed arrays, one row per candidate,
 * in catalog order. The rest of an entry (origin, meta, given, context) stays in its part file and
 * is read when asked for (workspace.ts). At 1,000,000 candidates this is tens of MB per process
 * instead of the ~1 GB that every entry as a parsed object took, in every process that opens the night.
 *
 * Each catalog part has a sidecar index (catalog/part-NNNNNN.idx) that records these columns with the
 * size and mtime of the part it was made from, so reopening a night reads the small sidecars instead
 * of parsing (and validating) every part again. A sidecar that does not match its part is ignored and
 * rebuilt from the part, validated in full.
 */
import { SourceKindSchema, type SourceKind } from '../../shared/candidate';

export const SOURCE_KINDS: readonly SourceKind[] = SourceKindSchema.options;

export interface StampLocation {
  part: number;
  offset: number;
  length: number;
}

/** What scoring and iteration need of an entry: its id and where its stamps are. */
export interface StampRef {
  id: string;
  stamp: StampLocation;
}

/** One part's columns, as the sidecar stores them. */
export interface PartIndex {
  format: 1;
  part: number;
  /** The part file this was made from: its size in bytes and mtime (ms), as stat gives them. */
  jsonSize: number;
  jsonMtimeMs: number;
  ids: string[];
  /** Index into SOURCE_KINDS. */
  sources: number[];
  offsets: number[];
  lengths: number[];
}

const isIntArray = (a: unknown, max = Number.MAX_SAFE_INTEGER): a is number[] =>
  Array.isArray(a) && a.every((v) => Number.isInteger(v) && v >= 0 && v <= max);

/**
 * A parsed sidecar, or null when it is not one (damaged, or from another format): checked by hand,
 * as every open reads every sidecar (zod took most of an open's time at a million candidates).
 */
export function asPartIndex(raw: unknown): PartIndex | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const ix = raw as Partial<PartIndex>;
  if (ix.format !== 1 || !Number.isInteger(ix.part)) return null;
  if (typeof ix.jsonSize !== 'number' || typeof ix.jsonMtimeMs !== 'number') return null;
  if (!Array.isArray(ix.ids) || !ix.ids.every((id) => typeof id === 'string')) return null;
  const n = ix.ids.length;
  if (!isIntArray(ix.sources, SOURCE_KINDS.length - 1) || ix.sources.length !== n) return null;
  if (!isIntArray(ix.offsets) || ix.offsets.length !== n) return null;
  if (!isIntArray(ix.lengths) || ix.lengths.length !== n) return null;
  return ix as PartIndex;
}

function grow<T extends Int32Array | Uint32Array | Float64Array | Uint8Array>(a: T, need: number): T {
  if (need <= a.length) return a;
  const next = new (a.constructor as new (n: number) => T)(Math.max(need, a.length * 2, 1024));
  next.set(a);
  return next;
}

export class CatalogIndex {
  private readonly idList: string[] = [];
  private readonly rowOf = new Map<string, number>();
  private partCol = new Int32Array(0);
  /** Row within the part file's entries (a part can hold ids an earlier part already has). */
  private posCol = new Uint32Array(0);
  private offsetCol = new Float64Array(0);
  private lengthCol = new Uint32Array(0);
  private sourceCol = new Uint8Array(0);
  /** Each part's rows: contiguous, as a part is added in one go. */
  private readonly perPart = new Map<number, { first: number; count: number }>();

  get size(): number {
    return this.idList.length;
  }

  /** Every id, in catalog order (a live view: do not modify). */
  ids(): readonly string[] {
    return this.idList;
  }

  row(id: string): number | undefined {
    return this.rowOf.get(id);
  }

  has(id: string): boolean {
    return this.rowOf.has(id);
  }

  id(row: number): string {
    return this.idList[row];
  }

  part(row: number): number {
    return this.partCol[row];
  }

  pos(row: number): number {
    return this.posCol[row];
  }

  source(row: number): SourceKind {
    return SOURCE_KINDS[this.sourceCol[row]];
  }

  stamp(row: number): StampLocation {
    return { part: this.partCol[row], offset: this.offsetCol[row], length: this.lengthCol[row] };
  }

  ref(row: number): StampRef {
    return { id: this.idList[row], stamp: this.stamp(row) };
  }

  /** Candidates the catalog holds from this part (ids a previous part had are not counted). */
  countInPart(part: number): number {
    return this.perPart.get(part)?.count ?? 0;
  }

  /** The rows of a part: [first, first + count). */
  rowsOfPart(part: number): { first: number; count: number } {
    return this.perPart.get(part) ?? { first: 0, count: 0 };
  }

  /** Add a part's rows; ids already held are skipped (first part wins). Returns how many were added. */
  addPart(ix: Pick<PartIndex, 'part' | 'ids' | 'sources' | 'offsets' | 'lengths'>): number {
    const need = this.idList.length + ix.ids.length;
    this.partCol = grow(this.partCol, need);
    this.posCol = grow(this.posCol, need);
    this.offsetCol = grow(this.offsetCol, need);
    this.lengthCol = grow(this.lengthCol, need);
    this.sourceCol = grow(this.sourceCol, need);
    let added = 0;
    const first = this.idList.length;
    for (let k = 0; k < ix.ids.length; k++) {
      const id = ix.ids[k];
      if (this.rowOf.has(id)) continue;
      const r = this.idList.length;
      this.idList.push(id);
      this.rowOf.set(id, r);
      this.partCol[r] = ix.part;
      this.posCol[r] = k;
      this.offsetCol[r] = ix.offsets[k];
      this.lengthCol[r] = ix.lengths[k];
      this.sourceCol[r] = ix.sources[k];
      added++;
    }
    if (added) this.perPart.set(ix.part, { first, count: added });
    return added;
  }

  /** Parts that hold candidates, ascending. */
  parts(): number[] {
    return [...this.perPart.keys()].sort((a, b) => a - b);
  }

  sourceCounts(): Record<string, number> {
    const counts = new Array<number>(SOURCE_KINDS.length).fill(0);
    for (let r = 0; r < this.idList.length; r++) counts[this.sourceCol[r]]++;
    const out: Record<string, number> = {};
    SOURCE_KINDS.forEach((k, i) => {
      if (counts[i]) out[k] = counts[i];
    });
    return out;
  }

  /** Parts that hold at least one candidate of this source, ascending. */
  partsWithSource(kind: SourceKind): number[] {
    const code = SOURCE_KINDS.indexOf(kind);
    const parts = new Set<number>();
    for (let r = 0; r < this.idList.length; r++) if (this.sourceCol[r] === code) parts.add(this.partCol[r]);
    return [...parts].sort((a, b) => a - b);
  }
}

/** The columns of a part's entries, for its sidecar. */
export function indexOfEntries(
  part: number,
  entries: readonly { id: string; source: SourceKind; stamp: StampLocation }[],
  stat: { size: number; mtimeMs: number },
): PartIndex {
  return {
    format: 1,
    part,
    jsonSize: stat.size,
    jsonMtimeMs: stat.mtimeMs,
    ids: entries.map((e) => e.id),
    sources: entries.map((e) => SOURCE_KINDS.indexOf(e.source)),
    offsets: entries.map((e) => e.stamp.offset),
    lengths: entries.map((e) => e.stamp.length),
  };
}
