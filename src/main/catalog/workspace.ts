/**
 * The workspace on disk: one folder per night or dataset (its layout: layout.ts).
 * Parts are append-only and written atomically, so a crash mid-ingest loses at most the chunk in
 * flight, and reopening reads a few JSON files instead of every FITS file.
 */
import {
  closeSync,
  existsSync,
  promises as fs,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  statSync,
} from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import {
  CandidateMetaSchema,
  GivenSchema,
  SourceKindSchema,
  StampOriginSchema,
} from '../../shared/candidate';
import { StoredContextSchema } from '../../shared/context';
import type { WorkspaceSummary } from '../../shared/contract';
import type { StampTriplet } from '../../shared/stamp';
import {
  GrowingFile,
  stageFile,
  sweepStaleTemps,
  writeFileAtomic,
  writeFileAtomicSync,
  type StagedFile,
} from '../util/atomicWrite';
import { CatalogIndex, asPartIndex, indexOfEntries, type PartIndex, type StampRef } from './catalogIndex';
import { decodeTriplet, encodeTriplet } from './stampPack';
import { WORKSPACE_FOLDERS, workspaceLayout } from './layout';
import { readSeeingRecord } from './seeingFile';

export const CatalogEntrySchema = z.object({
  id: z.string(),
  source: SourceKindSchema,
  origin: StampOriginSchema,
  meta: CandidateMetaSchema,
  given: GivenSchema,
  /** Earlier epochs and context fields from the packet (shared/context.ts); absent when it had none. */
  context: StoredContextSchema.optional(),
  stamp: z.object({ part: z.number().int(), offset: z.number().int(), length: z.number().int() }),
});
export type CatalogEntry = z.infer<typeof CatalogEntrySchema>;

const CatalogPartSchema = z.object({ part: z.number().int(), entries: z.array(CatalogEntrySchema) });

export const WorkspaceFileSchema = z.object({
  format: z.literal(1),
  name: z.string(),
  simulated: z.boolean().default(false),
  createdAt: z.string(),
  activeModel: z.string().nullable().default(null),
  threshold: z.number().nullable().default(null),
});
export type WorkspaceFile = z.infer<typeof WorkspaceFileSchema>;

export class WorkspaceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkspaceError';
  }
}

export interface NewCandidateFields {
  id: string;
  source: CatalogEntry['source'];
  origin: CatalogEntry['origin'];
  meta: CatalogEntry['meta'];
  given: CatalogEntry['given'];
  context?: CatalogEntry['context'];
}

/**
 * A candidate to append, with its stamps decoded (triplet) or already packed as a stamp record
 * (packed: what ingest's decoder threads send, see stampPack.ts), stored as it is.
 */
export type NewCandidate = NewCandidateFields &
  ({ triplet: StampTriplet; packed?: undefined } | { packed: Uint8Array; triplet?: undefined });

const partName = (n: number, ext: string) => `part-${String(n).padStart(6, '0')}.${ext}`;

/** Parsed parts kept for get() and the like; a part of the default 2,000 candidates is ~2 MB parsed. */
const PARTS_KEPT = 16;

function entryOf(c: NewCandidate, part: number, offset: number, length: number): CatalogEntry {
  return {
    id: c.id,
    source: c.source,
    origin: c.origin,
    meta: c.meta,
    given: c.given,
    ...(c.context ? { context: c.context } : {}),
    stamp: { part, offset, length },
  };
}

/** Stamp bytes a part writer lets wait for the disk before its producer is made to wait (drain). */
const PART_WRITE_AHEAD = 64 * 1024 * 1024;

/**
 * One part being filled (Workspace.openPart): each add() queues its records to the part's stamps
 * file at once, nothing is visible until commit() lands the part, and abort() leaves no trace.
 */
export class PartWriter {
  readonly entries: CatalogEntry[] = [];
  private readonly ids = new Set<string>();
  private done = false;

  constructor(
    private readonly ws: Workspace,
    readonly part: number,
    private readonly stamps: GrowingFile,
  ) {}

  get count(): number {
    return this.entries.length;
  }

  /**
   * Queues the records of the candidates that neither the workspace nor this part holds yet;
   * returns how many were taken. Waits only when the disk lags far behind (backpressure).
   */
  async add(candidates: NewCandidate[]): Promise<number> {
    if (this.done) throw new Error(`part ${this.part} of ${this.ws.dir} is already closed`);
    const blobs: Uint8Array[] = [];
    let offset = this.stamps.size;
    for (const c of candidates) {
      if (this.ws.has(c.id) || this.ids.has(c.id)) continue;
      const blob = c.packed ?? encodeTriplet(c.triplet);
      this.ids.add(c.id);
      this.entries.push(entryOf(c, this.part, offset, blob.length));
      blobs.push(blob);
      offset += blob.length;
    }
    this.stamps.append(blobs);
    if (this.stamps.pending > PART_WRITE_AHEAD) await this.stamps.drain(PART_WRITE_AHEAD / 2);
    return blobs.length;
  }

  /** Resolves once the records added so far are written (or failed: see commit): their bytes are free. */
  written(): Promise<void> {
    return this.stamps.writesDone();
  }

  /** Lands the part (as appendPart does); an empty part leaves nothing. Returns its entries. */
  async commit(): Promise<CatalogEntry[]> {
    if (this.done) throw new Error(`part ${this.part} of ${this.ws.dir} is already closed`);
    this.done = true;
    try {
      if (this.entries.length === 0) {
        await this.stamps.discard();
        return [];
      }
      await this.ws.landPart(this.part, this.entries, this.stamps.finish());
      return this.entries;
    } finally {
      this.ws.releasePart(this.part);
    }
  }

  /** Drops the part: its temp file removed, its number free. */
  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    try {
      await this.stamps.discard();
    } finally {
      this.ws.releasePart(this.part);
    }
  }
}

export class Workspace {
  private readonly index = new CatalogIndex();
  private partsLoaded = new Set<number>();
  /** Numbers of parts open for writing (openPart), not yet landed. */
  private readonly reservedParts = new Set<number>();
  /** Parts the last refresh indexed from the part itself (no sidecar, or a stale one). */
  private reindexed = 0;
  /** Parts whose sidecar matched or that were validated or written here: read back with a light check. */
  private readonly trusted = new Set<number>();
  /** Recently read parts' entries, by part (most recent last). */
  private readonly partCache = new Map<number, CatalogEntry[]>();
  /** The whole catalog as entries while some caller holds it (list()); rebuilt when collected. */
  private listed: WeakRef<CatalogEntry[]> | null = null;
  /** Scores per version, with the file's size and mtime: a worker rewrites the file, and then it is read again. */
  private scoreCache = new Map<
    string,
    { stamp: string; journalBytes: number; scores: Map<string, number> }
  >();

  private constructor(
    readonly dir: string,
    private file: WorkspaceFile,
  ) {}

  static async open(dir: string, opts: { create?: boolean; name?: string; simulated?: boolean } = {}) {
    const abs = path.resolve(dir);
    const wsFile = path.join(abs, 'workspace.json');
    let file: WorkspaceFile;
    if (existsSync(wsFile)) {
      let raw: unknown;
      try {
        raw = JSON.parse(await fs.readFile(wsFile, 'utf8'));
      } catch (e) {
        throw new WorkspaceError(
          `${wsFile}: not readable as JSON (${(e as Error).message}). Restore it from a backup or create a new workspace.`,
        );
      }
      const parsed = WorkspaceFileSchema.safeParse(raw);
      if (!parsed.success)
        throw new WorkspaceError(
          `${wsFile}: not a Skysift workspace file (${z.prettifyError(parsed.error)})`,
        );
      file = parsed.data;
    } else if (opts.create) {
      await fs.mkdir(abs, { recursive: true });
      file = {
        format: 1,
        name: opts.name ?? path.basename(abs),
        simulated: opts.simulated ?? false,
        createdAt: new Date().toISOString(),
        activeModel: null,
        threshold: null,
      };
      await writeFileAtomic(wsFile, JSON.stringify(file, null, 2));
    } else {
      throw new WorkspaceError(
        `${abs}: no workspace here (workspace.json missing). Create one, or open another folder.`,
      );
    }
    for (const sub of WORKSPACE_FOLDERS) await fs.mkdir(path.join(abs, sub), { recursive: true });
    const swept = sweepStaleTemps([abs, ...WORKSPACE_FOLDERS.map((sub) => path.join(abs, sub))]);
    if (swept.files)
      console.warn(
        `[skysift] ${abs}: removed ${swept.files} temp file(s) (${(swept.bytes / 1e6).toFixed(1)} MB) left by a write that was cut short`,
      );
    const ws = new Workspace(abs, file);
    ws.refresh();
    if (ws.reindexed > 0)
      console.warn(
        `[skysift] ${abs}: indexed ${ws.reindexed} catalog part(s) that had no index yet (catalog/part-*.idx); later opens read the index`,
      );
    return ws;
  }

  get name() {
    return this.file.name;
  }
  get settings(): Readonly<WorkspaceFile> {
    return this.file;
  }

  /**
   * Load catalog parts written since the last look (an ingest worker appends them): from each part's
   * index sidecar when it matches the part, else from the part itself, validated, and the sidecar
   * (re)written. Returns how many candidates were added.
   */
  refresh(): number {
    const dir = path.join(this.dir, 'catalog');
    let added = 0;
    let rebuilt = 0;
    const names = readdirSync(dir)
      .filter((n) => /^part-\d{6}\.json$/.test(n))
      .sort();
    for (const name of names) {
      const n = Number(name.slice(5, 11));
      if (this.partsLoaded.has(n)) continue;
      const full = path.join(dir, name);
      let ix = this.readSidecar(n, full);
      if (ix) this.trusted.add(n);
      else {
        const entries = this.parsePart(full, n);
        ix = indexOfEntries(n, entries, statSync(full));
        this.trusted.add(n);
        this.rememberPart(n, entries);
        rebuilt++;
        // Best effort: a read-only night still opens, it only parses this part again next time.
        try {
          writeFileAtomicSync(path.join(dir, partName(n, 'idx')), JSON.stringify(ix), { fsync: false });
        } catch {
          // Nothing lost: the part itself is the record.
        }
      }
      added += this.index.addPart(ix);
      this.partsLoaded.add(n);
    }
    if (added) this.listed = null;
    this.reindexed = rebuilt;
    return added;
  }

  /** The part's sidecar index, or null when it is missing, damaged or made from another version of the part. */
  private readSidecar(n: number, jsonFile: string): PartIndex | null {
    const file = path.join(this.dir, 'catalog', partName(n, 'idx'));
    let raw: string;
    try {
      raw = readFileSync(file, 'utf8');
    } catch {
      return null;
    }
    try {
      const ix = asPartIndex(JSON.parse(raw));
      if (!ix) return null;
      const st = statSync(jsonFile);
      if (ix.part !== n || ix.jsonSize !== st.size || ix.jsonMtimeMs !== st.mtimeMs) return null;
      return ix;
    } catch {
      return null;
    }
  }

  /** A part's entries, validated in full: for parts not written or indexed by this code. */
  private parsePart(full: string, n: number): CatalogEntry[] {
    let part: z.infer<typeof CatalogPartSchema>;
    try {
      part = CatalogPartSchema.parse(JSON.parse(readFileSync(full, 'utf8')));
    } catch (e) {
      throw new WorkspaceError(
        `${full}: damaged catalog part (${(e as Error).message.slice(0, 200)}). Move it aside and re-ingest its files.`,
      );
    }
    if (part.part !== n)
      throw new WorkspaceError(
        `${full}: damaged catalog part (it says it is part ${part.part}). Move it aside and re-ingest its files.`,
      );
    return part.entries;
  }

  private rememberPart(n: number, entries: CatalogEntry[]): void {
    this.partCache.delete(n);
    this.partCache.set(n, entries);
    while (this.partCache.size > PARTS_KEPT) this.partCache.delete(this.partCache.keys().next().value!);
  }

  /**
   * A part's entries in file order. Parts indexed here are read back with a light check (JSON, and
   * the ids and stamp locations the index holds); any other part is validated in full.
   */
  private partEntries(n: number): CatalogEntry[] {
    const hit = this.partCache.get(n);
    if (hit) {
      this.rememberPart(n, hit);
      return hit;
    }
    const full = path.join(this.dir, 'catalog', partName(n, 'json'));
    let entries: CatalogEntry[];
    if (!this.trusted.has(n)) entries = this.parsePart(full, n);
    else {
      let raw: { part?: unknown; entries?: unknown };
      try {
        raw = JSON.parse(readFileSync(full, 'utf8')) as typeof raw;
      } catch (e) {
        throw new WorkspaceError(
          `${full}: damaged catalog part (${(e as Error).message.slice(0, 200)}). Move it aside and re-ingest its files.`,
        );
      }
      if (raw.part !== n || !Array.isArray(raw.entries))
        throw new WorkspaceError(
          `${full}: damaged catalog part (not a list of entries for part ${n}). Move it aside and re-ingest its files.`,
        );
      entries = raw.entries as CatalogEntry[];
    }
    // The entries must be the ones the index points at (same ids, same stamps, same order).
    const { first, count } = this.index.rowsOfPart(n);
    for (let r = first; r < first + count; r++) {
      const e = entries[this.index.pos(r)] as CatalogEntry | undefined;
      const s = this.index.stamp(r);
      if (
        !e ||
        e.id !== this.index.id(r) ||
        e.stamp?.offset !== s.offset ||
        e.stamp?.length !== s.length ||
        e.stamp?.part !== n
      )
        throw new WorkspaceError(
          `${full}: changed since the night was opened (candidate ${this.index.id(r)} is not where the index says). Reopen the night.`,
        );
    }
    this.rememberPart(n, entries);
    return entries;
  }

  private entryAt(row: number): CatalogEntry {
    const listed = this.listed?.deref();
    if (listed && listed.length === this.index.size) return listed[row];
    return this.partEntries(this.index.part(row))[this.index.pos(row)];
  }

  /**
   * Every entry, in catalog order. At a million candidates this builds a million objects: callers
   * that need ids, sources or stamp locations only use ids(), sourceCounts() or stampRefs().
   */
  list(): readonly CatalogEntry[] {
    const held = this.listed?.deref();
    if (held && held.length === this.index.size) return held;
    const out = new Array<CatalogEntry>(this.index.size);
    let part = -1;
    let entries: CatalogEntry[] = [];
    for (let r = 0; r < this.index.size; r++) {
      const p = this.index.part(r);
      if (p !== part) {
        part = p;
        entries = this.partEntries(p);
      }
      out[r] = entries[this.index.pos(r)];
    }
    this.listed = new WeakRef(out);
    return out;
  }
  get(id: string): CatalogEntry | undefined {
    const row = this.index.row(id);
    return row === undefined ? undefined : this.entryAt(row);
  }
  has(id: string): boolean {
    return this.index.has(id);
  }
  get size() {
    return this.index.size;
  }
  /** Every candidate's id, in catalog order (read-only). */
  ids(): readonly string[] {
    return this.index.ids();
  }
  /** Candidates per source kind. */
  sourceCounts(): Record<string, number> {
    return this.index.sourceCounts();
  }
  /** Id and stamp location of these candidates (default: all, in catalog order); unknown ids are left out. */
  stampRefs(ids?: readonly string[]): StampRef[] {
    const out: StampRef[] = [];
    if (!ids) for (let r = 0; r < this.index.size; r++) out.push(this.index.ref(r));
    else
      for (const id of ids) {
        const r = this.index.row(id);
        if (r !== undefined) out.push(this.index.ref(r));
      }
    return out;
  }
  /**
   * Id and stamp location of these candidates (default: all), one part at a time in (part, offset)
   * order, as scoring reads them: only one part's refs exist at a time, whatever the night's size.
   */
  *stampRefsByPart(ids?: readonly string[]): Generator<{ part: number; refs: StampRef[] }> {
    let wanted: Uint8Array | null = null;
    if (ids) {
      wanted = new Uint8Array(this.index.size);
      for (const id of ids) {
        const r = this.index.row(id);
        if (r !== undefined) wanted[r] = 1;
      }
    }
    for (const part of this.index.parts()) {
      const { first, count } = this.index.rowsOfPart(part);
      const refs: StampRef[] = [];
      for (let r = first; r < first + count; r++) if (!wanted || wanted[r]) refs.push(this.index.ref(r));
      if (refs.length === 0) continue;
      refs.sort((a, b) => a.stamp.offset - b.stamp.offset);
      yield { part, refs };
    }
  }
  /** How many of the night's candidates sit in this part (what a whole part's rows cache holds). */
  countInPart(part: number): number {
    return this.index.countInPart(part);
  }
  /** Entries of one source kind, part by part (only parts that hold some are read). */
  *entriesOfSource(kind: CatalogEntry['source']): Generator<CatalogEntry> {
    for (const p of this.index.partsWithSource(kind))
      for (const e of this.partEntries(p))
        if (e.source === kind && this.index.part(this.index.row(e.id)!) === p) yield e;
  }

  nextPartNumber(): number {
    const used = readdirSync(path.join(this.dir, 'stamps'))
      .filter((n) => /^part-\d{6}\.bin$/.test(n))
      .map((n) => Number(n.slice(5, 11)));
    let max = 0;
    for (const n of used) if (n > max) max = n;
    for (const n of this.partsLoaded) if (n > max) max = n;
    for (const n of this.reservedParts) if (n > max) max = n;
    return max + 1;
  }

  /**
   * Append one chunk of candidates: stamps first, then the catalog part that points at them, each
   * atomically, then the part's index. Until the catalog part lands, the chunk does not exist for
   * readers; a missing index is rebuilt from the part.
   */
  async appendPart(candidates: NewCandidate[]): Promise<CatalogEntry[]> {
    const fresh = candidates.filter((c) => !this.index.has(c.id));
    if (fresh.length === 0) return [];
    const part = this.nextPartNumber();
    const blobs: Uint8Array[] = [];
    const entries: CatalogEntry[] = [];
    let offset = 0;
    for (const c of fresh) {
      const blob = c.packed ?? encodeTriplet(c.triplet);
      blobs.push(blob);
      entries.push(entryOf(c, part, offset, blob.length));
      offset += blob.length;
    }
    // Stamps and catalog part reach the disk in parallel (the records as they are, no concatenated
    // copy).
    await this.landPart(
      part,
      entries,
      stageFile(path.join(this.dir, 'stamps', partName(part, 'bin')), blobs),
    );
    return entries;
  }

  /**
   * A part written while it is being filled (ingest: records appended as they decode, the stamps
   * file growing and reaching the disk meanwhile); it lands as appendPart's parts do, at commit().
   * Its number is held until then, so appendPart and other open parts take the next ones.
   */
  async openPart(): Promise<PartWriter> {
    const part = this.nextPartNumber();
    this.reservedParts.add(part);
    try {
      const stamps = await GrowingFile.open(path.join(this.dir, 'stamps', partName(part, 'bin')));
      return new PartWriter(this, part, stamps);
    } catch (e) {
      this.reservedParts.delete(part);
      throw e;
    }
  }

  /** @internal PartWriter's end: its number free again (landed, or dropped). */
  releasePart(part: number): void {
    this.reservedParts.delete(part);
  }

  /**
   * @internal The landing of a part: its stamps (being staged) and its catalog part fsynced in
   * parallel, then the stamps renamed into place first, so a catalog part never points at stamps
   * not there; then its index.
   */
  async landPart(part: number, entries: CatalogEntry[], stamps: Promise<StagedFile>): Promise<void> {
    const jsonFile = path.join(this.dir, 'catalog', partName(part, 'json'));
    const staged = await Promise.allSettled([stamps, stageFile(jsonFile, JSON.stringify({ part, entries }))]);
    const failed = staged.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) {
      await Promise.all(staged.map((s) => (s.status === 'fulfilled' ? s.value.discard() : undefined)));
      throw failed.reason;
    }
    for (const s of staged) await (s as PromiseFulfilledResult<StagedFile>).value.commit();
    // We wrote these entries ourselves: index them directly instead of re-reading and re-validating the part.
    const ix = indexOfEntries(part, entries, await fs.stat(jsonFile));
    await writeFileAtomic(path.join(this.dir, 'catalog', partName(part, 'idx')), JSON.stringify(ix), {
      fsync: false,
    });
    this.partsLoaded.add(part);
    this.trusted.add(part);
    this.index.addPart(ix);
    this.listed = null;
  }

  async readTriplet(id: string): Promise<StampTriplet> {
    const row = this.index.row(id);
    if (row === undefined) throw new WorkspaceError(`candidate ${id} is not in workspace ${this.dir}`);
    const stamp = this.index.stamp(row);
    const file = path.join(this.dir, 'stamps', partName(stamp.part, 'bin'));
    const handle = await fs.open(file, 'r');
    try {
      const buf = Buffer.alloc(stamp.length);
      const { bytesRead } = await handle.read(buf, 0, buf.length, stamp.offset);
      if (bytesRead !== buf.length)
        throw new WorkspaceError(`${file}: truncated at candidate ${id}; re-ingest its files`);
      return decodeTriplet(buf);
    } finally {
      await handle.close();
    }
  }

  /** Stream every triplet part by part, in catalog order (for scoring and training). */
  async *iterateTriplets(
    ids?: readonly string[],
  ): AsyncGenerator<{ entry: CatalogEntry; triplet: StampTriplet }> {
    const rows: number[] = [];
    if (ids) {
      for (const id of ids) {
        const r = this.index.row(id);
        if (r !== undefined) rows.push(r);
      }
    } else for (let r = 0; r < this.index.size; r++) rows.push(r);
    rows.sort(
      (a, b) =>
        this.index.part(a) - this.index.part(b) || this.index.stamp(a).offset - this.index.stamp(b).offset,
    );
    let currentPart = -1;
    let buf: Buffer | null = null;
    for (const r of rows) {
      const stamp = this.index.stamp(r);
      if (stamp.part !== currentPart) {
        currentPart = stamp.part;
        buf = await fs.readFile(path.join(this.dir, 'stamps', partName(currentPart, 'bin')));
      }
      yield {
        entry: this.entryAt(r),
        triplet: decodeTriplet(buf!.subarray(stamp.offset, stamp.offset + stamp.length)),
      };
    }
  }

  async update(patch: Partial<Pick<WorkspaceFile, 'activeModel' | 'threshold' | 'name'>>): Promise<void> {
    this.file = { ...this.file, ...patch };
    await writeFileAtomic(path.join(this.dir, 'workspace.json'), JSON.stringify(this.file, null, 2));
  }

  private scoresFile(model: string): string {
    return path.join(workspaceLayout(this.dir).scores, `${model.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);
  }

  /** Scores added since the whole file was written (addScores), one JSON line per scoring. */
  private scoresJournal(model: string): string {
    return this.scoresFile(model).replace(/\.json$/, '.add.jsonl');
  }

  /** All of a version's scores: the file is rewritten whole, and what was added since it is dropped. */
  async writeScores(model: string, scores: Map<string, number>): Promise<void> {
    const file = this.scoresFile(model);
    await writeFileAtomic(file, JSON.stringify({ model, scores: Object.fromEntries(scores) }));
    // Lines name the file they add to, so a journal left behind by a crash here is ignored anyway.
    await fs.rm(this.scoresJournal(model), { force: true });
    this.scoreCache.set(model, { stamp: fileStamp(file), journalBytes: 0, scores });
  }

  /**
   * Scores of candidates appended since the version last scored the night: one line appended to the
   * version's journal, so a chunk's scores cost the chunk, not the night (the whole file is rewritten
   * only when the journal outgrows it). A night this version never scored gets the whole file.
   */
  async addScores(model: string, scores: Map<string, number>): Promise<void> {
    const file = this.scoresFile(model);
    if (!existsSync(file)) return this.writeScores(model, scores);
    const journal = this.scoresJournal(model);
    const line = JSON.stringify({ base: fileStamp(file), scores: Object.fromEntries(scores) });
    const handle = await fs.open(journal, 'a+');
    try {
      const { size } = await handle.stat();
      // A line cut short by a crash ends here, so that this one starts on a line of its own.
      let lead = '';
      if (size > 0) {
        const last = Buffer.alloc(1);
        await handle.read(last, 0, 1, size - 1);
        if (last[0] !== 0x0a) lead = '\n';
      }
      await handle.appendFile(`${lead}${line}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    const journalBytes = statSync(journal).size;
    if (journalBytes > Math.max(statSync(file).size, 1 << 20)) {
      const all = this.scores(model);
      if (all) await this.writeScores(model, new Map(all));
    }
  }

  /**
   * A version's scores for this night, or null when it has not scored it. Kept between calls: a
   * rewritten file is read again, lines appended to the journal since the last call are read alone.
   * The map returned may grow in place when later calls read new lines.
   */
  scores(model: string | null): Map<string, number> | null {
    if (!model) return null;
    const file = this.scoresFile(model);
    if (!existsSync(file)) return null;
    const stamp = fileStamp(file);
    let cached = this.scoreCache.get(model);
    if (!cached || cached.stamp !== stamp) {
      cached = { stamp, journalBytes: 0, scores: readScoresFile(file) };
      this.scoreCache.set(model, cached);
    }
    const journal = this.scoresJournal(model);
    let size = 0;
    try {
      size = statSync(journal).size;
    } catch {
      // No journal: nothing added since the file was written.
    }
    if (size < cached.journalBytes) {
      // Replaced since the last look (rewritten and added to again): read it from the start.
      cached.scores = readScoresFile(file);
      cached.journalBytes = 0;
    }
    if (size > cached.journalBytes)
      cached.journalBytes += applyJournal(journal, cached.journalBytes, size, stamp, cached.scores);
    return cached.scores;
  }

  /** Candidates with a score by this version ("scored" means scored by the model the night shows). */
  scoredCount(model: string | null): number {
    const scores = this.scores(model);
    if (!scores) return 0;
    let n = 0;
    for (const id of this.index.ids()) if (scores.has(id)) n++;
    return n;
  }

  /** The size of the night's stamps ("63x63"), from its first candidate; null for an empty night. */
  async stampSize(): Promise<string | null> {
    if (this.index.size === 0) return null;
    const t = await this.readTriplet(this.index.id(0));
    return `${t.difference.height}x${t.difference.width}`;
  }

  summary(homeModel: string | null): WorkspaceSummary {
    const sources = this.index.sourceCounts();
    return {
      dir: this.dir,
      name: this.file.name,
      simulated: this.file.simulated,
      candidates: this.index.size,
      sources,
      activeModel: this.file.activeModel,
      threshold: this.file.threshold,
      scored: this.scoredCount(this.file.activeModel),
      homeModel,
      seeing: seeingOf(this.dir),
    };
  }
}

function seeingOf(dir: string): WorkspaceSummary['seeing'] {
  const r = readSeeingRecord(dir);
  if (!r) return null;
  return { fwhmPx: r.fwhmPx, zoom: r.zoom, ...(r.templateBlur > 0 ? { templateBlur: r.templateBlur } : {}) };
}

/** Size and mtime: enough to see that another process replaced the file (atomic rename). */
function fileStamp(file: string): string {
  const st = statSync(file);
  return `${st.size}:${st.mtimeMs}:${st.ino}`;
}

/**
 * A scores file: { model, scores: { id: score } }. Checked by hand rather than with zod, which took
 * seconds on a million ids; a damaged file names itself.
 */
function readScoresFile(file: string): Map<string, number> {
  let raw: { model?: unknown; scores?: unknown };
  try {
    raw = JSON.parse(readFileSync(file, 'utf8')) as typeof raw;
  } catch (e) {
    throw new WorkspaceError(
      `${file}: damaged scores file (${(e as Error).message.slice(0, 200)}). Delete it and score the night again.`,
    );
  }
  const scores = raw?.scores;
  if (
    typeof raw?.model !== 'string' ||
    typeof scores !== 'object' ||
    scores === null ||
    Array.isArray(scores)
  )
    throw new WorkspaceError(
      `${file}: not a scores file (no model and scores). Delete it and score the night again.`,
    );
  const map = new Map<string, number>();
  for (const [id, v] of Object.entries(scores as Record<string, unknown>)) {
    if (typeof v !== 'number')
      throw new WorkspaceError(
        `${file}: the score of ${id} is not a number. Delete it and score the night again.`,
      );
    map.set(id, v);
  }
  return map;
}

/**
 * Lines of a scores journal between two offsets, added to `into` when they add to the file `base`
 * names (older lines belong to a file since rewritten). Returns the bytes consumed: complete lines
 * only, so a line being written is read once it is whole. A damaged line (a write cut short by a
 * crash) is skipped with a warning: its candidates have no score and the next scoring gives them one.
 */
function applyJournal(
  file: string,
  from: number,
  to: number,
  base: string,
  into: Map<string, number>,
): number {
  const buf = Buffer.alloc(to - from);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buf, 0, buf.length, from);
  } finally {
    closeSync(fd);
  }
  const end = buf.lastIndexOf(0x0a) + 1;
  for (const line of buf.subarray(0, end).toString('utf8').split('\n')) {
    if (!line) continue;
    let rec: { base?: unknown; scores?: unknown };
    try {
      rec = JSON.parse(line) as typeof rec;
    } catch {
      console.warn(
        `[skysift] ${file}: skipped a damaged line (a write cut short?); those candidates will be scored again`,
      );
      continue;
    }
    if (rec.base !== base || typeof rec.scores !== 'object' || rec.scores === null) continue;
    for (const [id, v] of Object.entries(rec.scores as Record<string, unknown>))
      if (typeof v === 'number') into.set(id, v);
  }
  return end;
}
