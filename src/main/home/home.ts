/**
 * The astronomer's home (`~/.skysift`, or SKYSIFT_HOME): what outlives a night.
 *
 *   home.json   the nights (workspaces) in the order they were first opened, the one opened last,
 *               the active model version (one for the home, plus one per stamp size for models
 *               with a fixed native input, such as braai for 63x63 ZTF triplets), settings
 *   models/     the model library: the shipped default, imported models, every trained version
 *
 * Worker processes find the same home through SKYSIFT_HOME (inherited), so a version trained in
 * a worker lands in the library every night can use.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomicSync } from '../util/atomicWrite';

export function skysiftHome(): string {
  return path.resolve(process.env.SKYSIFT_HOME ?? path.join(os.homedir(), '.skysift'));
}

/** The model library of the home: every night scores and trains with versions from here. */
export function libraryRoot(home = skysiftHome()): string {
  return path.join(home, 'models');
}

const NightRefSchema = z.object({
  dir: z.string(),
  firstOpenedAt: z.string(),
  lastOpenedAt: z.string(),
});
export type NightRef = z.infer<typeof NightRefSchema>;

const HomeFileSchema = z.object({
  format: z.literal(1),
  nights: z.array(NightRefSchema).default([]),
  lastNight: z.string().nullable().default(null),
  /** The version that scores a night as it opens, unless one is set for its stamp size. */
  activeModel: z.string().nullable().default(null),
  /** Stamp size ("63x63") -> version, for models made for one survey's stamps (e.g. braai). */
  activeBySize: z.record(z.string(), z.string()).default({}),
  settings: z
    .object({
      /** Seconds an astronomer spends on a candidate by hand, for the tally (null: use the measured pace). */
      handPaceSeconds: z.number().positive().nullable().default(null),
    })
    .default({ handPaceSeconds: null }),
});
export type HomeFile = z.infer<typeof HomeFileSchema>;

export class HomeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HomeError';
  }
}

export class Home {
  private constructor(
    readonly root: string,
    private file: HomeFile,
  ) {}

  /** Open (creating when missing) the home at `root`. A damaged home.json is an error, never reset. */
  static open(root = skysiftHome()): Home {
    const abs = path.resolve(root);
    mkdirSync(libraryRoot(abs), { recursive: true });
    const file = path.join(abs, 'home.json');
    if (!existsSync(file)) {
      const fresh = HomeFileSchema.parse({ format: 1 });
      const home = new Home(abs, fresh);
      home.importLegacyLastWorkspace();
      home.save();
      return home;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new HomeError(
        `${file}: not readable as JSON (${(e as Error).message}). Restore it from a backup, or move it aside to start a new home (your nights and models stay where they are).`,
      );
    }
    const parsed = HomeFileSchema.safeParse(raw);
    if (!parsed.success)
      throw new HomeError(`${file}: not a Skysift home file (${z.prettifyError(parsed.error)})`);
    return new Home(abs, parsed.data);
  }

  get library(): string {
    return libraryRoot(this.root);
  }
  get state(): Readonly<HomeFile> {
    return this.file;
  }

  /** The nights that still exist on disk, first opened first. */
  nights(): NightRef[] {
    return this.file.nights.filter((n) => existsSync(path.join(n.dir, 'workspace.json')));
  }

  lastNight(): string | null {
    const last = this.file.lastNight;
    return last && existsSync(path.join(last, 'workspace.json')) ? last : null;
  }

  /** Another process (the CLI beside the app) may have written home.json since: start from disk. */
  private reload(): void {
    try {
      const parsed = HomeFileSchema.safeParse(
        JSON.parse(readFileSync(path.join(this.root, 'home.json'), 'utf8')),
      );
      if (parsed.success) this.file = parsed.data;
    } catch {
      // Keep what we hold: the next save writes it whole.
    }
  }

  /** A night was opened: add it to the list (once) and remember it as the last one. */
  opened(dir: string): void {
    this.reload();
    const abs = path.resolve(dir);
    const now = new Date().toISOString();
    const known = this.file.nights.find((n) => n.dir === abs);
    const nights = known
      ? this.file.nights.map((n) => (n.dir === abs ? { ...n, lastOpenedAt: now } : n))
      : [...this.file.nights, { dir: abs, firstOpenedAt: now, lastOpenedAt: now }];
    this.file = { ...this.file, nights, lastNight: abs };
    this.save();
  }

  /** The version that scores stamps of this size: a size-specific one if set, else the home's. */
  activeFor(stampSize: string | null): string | null {
    return (stampSize && this.file.activeBySize[stampSize]) || this.file.activeModel;
  }

  /**
   * Make a version active for the home. A model that works on any stamp size replaces every
   * size-specific choice (the astronomer chose it for every night); a model with a fixed native
   * size (`nativeSize`) becomes active for that size only.
   */
  setActive(version: string, nativeSize: string | null = null): void {
    this.reload();
    if (nativeSize) {
      this.file = { ...this.file, activeBySize: { ...this.file.activeBySize, [nativeSize]: version } };
    } else {
      this.file = { ...this.file, activeModel: version, activeBySize: {} };
    }
    this.save();
  }

  /** Set the general active model only where none is set yet (first start, shipped default). */
  ensureActive(version: string): void {
    this.reload();
    if (this.file.activeModel) return;
    this.file = { ...this.file, activeModel: version };
    this.save();
  }

  setHandPace(seconds: number | null): void {
    this.reload();
    this.file = { ...this.file, settings: { ...this.file.settings, handPaceSeconds: seconds } };
    this.save();
  }

  private save(): void {
    writeFileAtomicSync(path.join(this.root, 'home.json'), JSON.stringify(this.file, null, 2));
  }

  /** Homes made before home.json remembered the last night in last-workspace.json. */
  private importLegacyLastWorkspace(): void {
    try {
      const legacy = path.join(this.root, 'last-workspace.json');
      const { dir } = JSON.parse(readFileSync(legacy, 'utf8')) as { dir?: string };
      if (dir && existsSync(path.join(dir, 'workspace.json'))) {
        const now = new Date().toISOString();
        this.file = {
          ...this.file,
          nights: [{ dir: path.resolve(dir), firstOpenedAt: now, lastOpenedAt: now }],
          lastNight: path.resolve(dir),
        };
      }
    } catch {
      // No earlier home: nothing to carry over.
    }
  }
}
