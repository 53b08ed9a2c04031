/**
 * Fixtures of the desk's e2e specs: a scored demo night, a Chromium we launch ourselves (so we
 * know its process group and can SIGKILL it like a crash), and reads of the label database.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { Workspace } from '../../src/main/catalog/workspace';
import { CHROMIUM_FLAGS, ROOT } from './harness';

export interface DemoNight {
  dir: string;
  scores: Map<string, number>;
  given: Map<string, 'real' | 'bogus' | undefined>;
  /** The active model and its threshold: assertions read them from here, never hard-code them. */
  model: string;
  threshold: number;
}

/** `skysift demo` writes and ingests a simulated night; the shipped default model scores it (CLI). */
export async function makeScoredDemoNight(n: number, seed = 7): Promise<DemoNight> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'skysift-desk-'));
  const dir = path.join(tmp, 'ws');
  const r = spawnSync(
    process.execPath,
    [
      'out/main/cli.js',
      'demo',
      '--out',
      path.join(tmp, 'night'),
      '--n',
      String(n),
      '--seed',
      String(seed),
      '--workspace',
      dir,
    ],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, SKYSIFT_HOME: FIXTURE_HOME } },
  );
  if (r.status !== 0) throw new Error(`skysift demo failed:\n${r.stdout}\n${r.stderr}`);
  cli(['score', '--workspace', dir, '--model', 'default', '--adopt']);
  const scored = await Workspace.open(dir);
  const model = scored.settings.activeModel!;
  return {
    dir,
    scores: scored.scores(model)!,
    given: new Map(scored.list().map((e) => [e.id, e.given.label] as const)),
    model,
    threshold: scored.settings.threshold!,
  };
}

/** The model shipped in resources/models/default (see its TRAINED_BY.md). */
export const SHIPPED_MODEL_DIR = path.join(ROOT, 'resources/models/default');

/** The fixtures' own Skysift home (never the user's ~/.skysift); the hosts under test get theirs. */
const FIXTURE_HOME = mkdtempSync(path.join(os.tmpdir(), 'skysift-fixture-home-'));

function cli(args: string[]): string {
  const r = spawnSync(process.execPath, ['out/main/cli.js', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, SKYSIFT_HOME: FIXTURE_HOME },
  });
  if (r.status !== 0) throw new Error(`skysift ${args[0]} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

export interface ModelNight {
  dir: string;
  /** The simulation truth of every candidate. */
  given: Map<string, 'real' | 'bogus' | undefined>;
  /** How the night got its scores: the shipped model, or a tiny one trained in the fixture. */
  scoredWith: 'shipped' | 'tiny-trained';
}

/**
 * A demo night scored by a real model: the shipped default one when resources/models/default
 * exists, else a tiny model trained into the workspace (1 epoch on wasm, a few seconds).
 */
export async function makeModelScoredNight(
  n: number,
  seed: number,
  opts: { unlabelled?: boolean } = {},
): Promise<ModelNight> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'skysift-night-'));
  const dir = path.join(tmp, 'ws');
  cli([
    'demo',
    '--n',
    String(n),
    '--seed',
    String(seed),
    '--out',
    path.join(tmp, 'stamps'),
    '--workspace',
    dir,
  ]);
  const shipped = existsSync(SHIPPED_MODEL_DIR);
  if (shipped) cli(['score', '--workspace', dir, '--model', 'default', '--adopt']);
  else cli(['train', '--workspace', dir, '--epochs', '1', '--adopt', '--backend', 'wasm']);
  const ws = await Workspace.open(dir);
  const given = new Map(ws.list().map((e) => [e.id, e.given.label] as const));
  if (opts.unlabelled) stripDataLabels(dir);
  return { dir, given, scoredWith: shipped ? 'shipped' : 'tiny-trained' };
}

/**
 * Make the night look like a real one, whose candidates come without labels: the simulation's
 * truth stays with the test (to decide the keys), and the astronomer's labels become the only
 * ones a retraining learns from. Test set-up only: rewrites the catalog parts in place.
 */
function stripDataLabels(dir: string): void {
  const catalog = path.join(dir, 'catalog');
  for (const name of readdirSync(catalog).filter((n) => n.endsWith('.json'))) {
    const file = path.join(catalog, name);
    const part = JSON.parse(readFileSync(file, 'utf8')) as { entries: { given: { label?: string } }[] };
    for (const e of part.entries) delete e.given.label;
    writeFileSync(file, JSON.stringify(part));
  }
}

/** A version's scores, read from the workspace on disk. */
export async function scoresOf(dir: string, version: string): Promise<Map<string, number>> {
  const ws = await Workspace.open(dir);
  const scores = ws.scores(version);
  if (!scores) throw new Error(`${version} has no scores in ${dir}`);
  return scores;
}

export async function activeModelOf(dir: string): Promise<string | null> {
  return (await Workspace.open(dir)).settings.activeModel;
}

export interface OwnChromium {
  browser: Browser;
  context: BrowserContext;
  child: ChildProcess;
  /** A crash: SIGKILL to the whole process group (browser, renderers, utility processes). */
  crash(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Chromium with a persistent profile, started by us with a DevTools port: Playwright's own
 * persistent launch gives no process to kill for a persistent context.
 */
export async function launchOwnChromium(userDataDir: string): Promise<OwnChromium> {
  const child = spawn(
    '/usr/bin/chromium',
    [
      ...CHROMIUM_FLAGS,
      '--headless',
      `--user-data-dir=${userDataDir}`,
      '--remote-debugging-port=0',
      '--window-size=1600,1000',
      'about:blank',
    ],
    { detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const wsUrl = await new Promise<string>((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`chromium did not start:\n${err}`)), 60_000);
    child.stderr!.on('data', (d) => {
      err += String(d);
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`chromium exited (${code}):\n${err}`)));
  });
  const browser = await chromium.connectOverCDP(wsUrl);
  const context = browser.contexts()[0];
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  return {
    browser,
    context,
    child,
    async crash() {
      process.kill(-child.pid!, 'SIGKILL');
      await exited;
      await browser.close().catch(() => undefined);
    },
    async close() {
      await browser.close().catch(() => undefined);
      if (child.exitCode === null) {
        process.kill(-child.pid!, 'SIGTERM');
        await exited;
      }
    },
  };
}

export function freePort(): number {
  return 20_000 + Math.floor(Math.random() * 20_000);
}

export interface StoredLabel {
  workspace: string;
  candidateId: string;
  label: string;
  subclass: string | null;
  model: string | null;
  score: number | null;
  secondsSpent: number;
  at: number;
}

/** Every record of the desk's label database, read with the raw IndexedDB API in the page. */
export async function readLabelDb(page: Page): Promise<StoredLabel[]> {
  return page.evaluate(
    () =>
      new Promise<StoredLabel[]>((resolve, reject) => {
        const req = indexedDB.open('skysift-labels');
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const db = req.result;
          if (!db.objectStoreNames.contains('labels')) {
            db.close();
            return resolve([]);
          }
          const all = db.transaction('labels').objectStore('labels').getAll();
          all.onsuccess = () => {
            db.close();
            resolve(all.result as StoredLabel[]);
          };
          all.onerror = () => reject(all.error);
        };
      }),
  );
}
