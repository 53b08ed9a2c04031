/**
 * The workspace on disk: one folder per night or dataset (its layout: layout.ts).
 * Parts are append-only and written atomically, so a crash mid-ingest loses at most the chunk in
 * flight, and reopening reads a few JSON files instead of every FITS file.
 */
import { existsSync, promises as fs, readFileSync, readdirSync, statSync } from 'node:fs';
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
import { writeFileAtomic } from '../util/atomicWrite';
import { decodeTriplet, encodeTriplet } from './stampPack';
import { WORKSPACE_FOLDERS, workspaceLayout } from './layout';

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

const ScoresFileSchema = z.object({ model: z.string(), scores: z.record(z.string(), z.number()) });

export class WorkspaceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkspaceError';
  }
}

export interface NewCandidate {
  id: string;
  source: CatalogEntry['source'];
  origin: CatalogEntry['origin'];
  meta: CatalogEntry['meta'];
  given: CatalogEntry['given'];
  context?: CatalogEntry['context'];
  triplet: StampTriplet;
}

const partName = (n: number, ext: string) => `part-${String(n).padStart(6, '0')}.${ext}`;

export class Workspace {
  private entries: CatalogEntry[] = [];
  private byId = new Map<string, CatalogEntry>();
  private partsLoaded = new Set<number>();
  /** Scores per version, with the file's size and mtime: a worker rewrites the file, and then it is read again. */
  private scoreCache = new Map<string, { stamp: string; scores: Map<string, number> }>();

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
    const ws = new Workspace(abs, file);
    ws.refresh();
    return ws;
  }

  get name() {
    return this.file.name;
  }
  get settings(): Readonly<WorkspaceFile> {
    return this.file;
  }

  /** Load catalog parts written since the last look (an ingest worker appends them). */
  refresh(): number {
    const dir = path.join(this.dir, 'catalog');
    let added = 0;
    const names = readdirSync(dir)
      .filter((n) => /^part-\d{6}\.json$/.test(n))
      .sort();
    for (const name of names) {
      const n = Number(name.slice(5, 11));
      if (this.partsLoaded.has(n)) continue;
      const full = path.join(dir, name);
      let part: z.infer<typeof CatalogPartSchema>;
      try {
        part = CatalogPartSchema.parse(JSON.parse(readFileSync(full, 'utf8')));
      } catch (e) {
        throw new WorkspaceError(
          `${full}: damaged catalog part (${(e as Error).message.slice(0, 200)}). Move it aside and re-ingest its files.`,
        );
      }
      for (const entry of part.entries) {
        if (this.byId.has(entry.id)) continue;
        this.byId.set(entry.id, entry);
        this.entries.push(entry);
        added++;
      }
      this.partsLoaded.add(n);
    }
    return added;
  }

  list(): readonly CatalogEntry[] {
    return this.entries;
  }
  get(id: string): CatalogEntry | undefined {
    return this.byId.get(id);
  }
  has(id: string): boolean {
    return this.byId.has(id);
  }
  get size() {
    return this.entries.length;
  }

  nextPartNumber(): number {
    const used = readdirSync(path.join(this.dir, 'stamps'))
      .filter((n) => /^part-\d{6}\.bin$/.test(n))
      .map((n) => Number(n.slice(5, 11)));
    return Math.max(0, ...used, ...this.partsLoaded) + 1;
  }

  /**
   * Append one chunk of candidates: stamps first, then the catalog part that points at them, each
   * atomically. Until the catalog part lands, the chunk does not exist for readers.
   */
  async appendPart(candidates: NewCandidate[]): Promise<CatalogEntry[]> {
    const fresh = candidates.filter((c) => !this.byId.has(c.id));
    if (fresh.length === 0) return [];
    const part = this.nextPartNumber();
    const blobs: Buffer[] = [];
    const entries: CatalogEntry[] = [];
    let offset = 0;
    for (const c of fresh) {
      const blob = encodeTriplet(c.triplet);
      blobs.push(blob);
      entries.push({
        id: c.id,
        source: c.source,
        origin: c.origin,
        meta: c.meta,
        given: c.given,
        ...(c.context ? { context: c.context } : {}),
        stamp: { part, offset, length: blob.length },
      });
      offset += blob.length;
    }
    await writeFileAtomic(path.join(this.dir, 'stamps', partName(part, 'bin')), Buffer.concat(blobs));
    await writeFileAtomic(
      path.join(this.dir, 'catalog', partName(part, 'json')),
      JSON.stringify({ part, entries }),
    );
    // We wrote these entries ourselves: index them directly instead of re-reading and re-validating the part.
    this.partsLoaded.add(part);
    for (const e of entries) {
      this.byId.set(e.id, e);
      this.entries.push(e);
    }
    return entries;
  }

  async readTriplet(id: string): Promise<StampTriplet> {
    const entry = this.byId.get(id);
    if (!entry) throw new WorkspaceError(`candidate ${id} is not in workspace ${this.dir}`);
    const file = path.join(this.dir, 'stamps', partName(entry.stamp.part, 'bin'));
    const handle = await fs.open(file, 'r');
    try {
      const buf = Buffer.alloc(entry.stamp.length);
      const { bytesRead } = await handle.read(buf, 0, buf.length, entry.stamp.offset);
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
    const wanted = ids
      ? ids.map((id) => this.byId.get(id)).filter((e): e is CatalogEntry => !!e)
      : this.entries;
    let currentPart = -1;
    let buf: Buffer | null = null;
    const sorted = [...wanted].sort((a, b) => a.stamp.part - b.stamp.part || a.stamp.offset - b.stamp.offset);
    for (const entry of sorted) {
      if (entry.stamp.part !== currentPart) {
        currentPart = entry.stamp.part;
        buf = await fs.readFile(path.join(this.dir, 'stamps', partName(currentPart, 'bin')));
      }
      yield {
        entry,
        triplet: decodeTriplet(buf!.subarray(entry.stamp.offset, entry.stamp.offset + entry.stamp.length)),
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

  async writeScores(model: string, scores: Map<string, number>): Promise<void> {
    const file = this.scoresFile(model);
    await writeFileAtomic(file, JSON.stringify({ model, scores: Object.fromEntries(scores) }));
    this.scoreCache.set(model, { stamp: fileStamp(file), scores });
  }

  /** A version's scores for this night, or null when it has not scored it. */
  scores(model: string | null): Map<string, number> | null {
    if (!model) return null;
    const file = this.scoresFile(model);
    if (!existsSync(file)) return null;
    const stamp = fileStamp(file);
    const cached = this.scoreCache.get(model);
    if (cached && cached.stamp === stamp) return cached.scores;
    const parsed = ScoresFileSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
    const map = new Map(Object.entries(parsed.scores));
    this.scoreCache.set(model, { stamp, scores: map });
    return map;
  }

  /** Candidates with a score by this version ("scored" means scored by the model the night shows). */
  scoredCount(model: string | null): number {
    const scores = this.scores(model);
    if (!scores) return 0;
    let n = 0;
    for (const e of this.entries) if (scores.has(e.id)) n++;
    return n;
  }

  /** The size of the night's stamps ("63x63"), from its first candidate; null for an empty night. */
  async stampSize(): Promise<string | null> {
    const first = this.entries[0];
    if (!first) return null;
    const t = await this.readTriplet(first.id);
    return `${t.difference.height}x${t.difference.width}`;
  }

  summary(homeModel: string | null): WorkspaceSummary {
    const sources: Record<string, number> = {};
    for (const e of this.entries) sources[e.source] = (sources[e.source] ?? 0) + 1;
    return {
      dir: this.dir,
      name: this.file.name,
      simulated: this.file.simulated,
      candidates: this.entries.length,
      sources,
      activeModel: this.file.activeModel,
      threshold: this.file.threshold,
      scored: this.scoredCount(this.file.activeModel),
      homeModel,
    };
  }
}

/** Size and mtime: enough to see that another process replaced the file (atomic rename). */
function fileStamp(file: string): string {
  const st = statSync(file);
  return `${st.size}:${st.mtimeMs}:${st.ino}`;
}
