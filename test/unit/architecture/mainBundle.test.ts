// The engine (tfjs, ONNX Runtime) runs only in compute workers: the Electron main bundle, the
// browser host and the CLI's client commands must not load it. Built bundles are checked, not
// sources, because what matters is what Node requires when the process starts: a main-side
// import that reaches src/main/worker/ through any chain of modules shows up here as a chunk
// that requires '@tensorflow/...'. The lint rule (eslint.config.mjs) catches the same at the
// import; this test catches what the lint rule cannot see (a shared chunk, a re-export).
//
// The bundles are built once, with the project's electron-vite config, into a temp folder (never
// into out/, which other tests run from while this one builds). SKYSIFT_BUNDLE_DIR=<dir> checks
// an existing build's main folder instead (e.g. out/main, or the build of an older commit).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..', '..', '..');

/** Modules that are the engine: none may be required, directly or through a chunk, by main-side entries. */
const ENGINE = /^(@tensorflow\/|onnxruntime)/;

/**
 * Lazy loads (a dynamic import compiled to CommonJS) run only when called: the CLI's lab
 * commands load the engine that way, on demand.
 */
const LAZY =
  /Promise\.resolve\(\)\.then\(\(\) => (?:\/\*[^*]*\*\/\s*)?(?:__toESM\()?require\("[^"]+"\)\)?\)|import\("[^"]+"\)/g;
const REQUIRE = /require\("([^"]+)"\)/g;
/** onnxruntime-node is loaded through createRequire by name, so its name as a string counts too. */
const ORT_NAME = /["'`]onnxruntime-node["'`]/;

interface Reach {
  /** Bundle files that load when the entry starts (the entry first). */
  files: string[];
  /** Bare modules those files require, with the file that requires each. */
  modules: Map<string, string>;
}

/** What an entry of the bundle loads at start: its static requires, followed through our chunks. */
function staticReach(entry: string): Reach {
  const files: string[] = [];
  const modules = new Map<string, string>();
  const visit = (file: string) => {
    if (files.includes(file)) return;
    files.push(file);
    const code = readFileSync(file, 'utf8').replace(LAZY, '');
    for (const [, spec] of code.matchAll(REQUIRE)) {
      if (spec.startsWith('.')) visit(path.resolve(path.dirname(file), spec));
      else if (!modules.has(spec)) modules.set(spec, path.basename(file));
    }
    if (ORT_NAME.test(code) && !modules.has('onnxruntime-node'))
      modules.set('onnxruntime-node', `${path.basename(file)} (by name)`);
  };
  visit(entry);
  return { files, modules };
}

function engineModules(reach: Reach): string[] {
  return [...reach.modules].filter(([m]) => ENGINE.test(m)).map(([m, by]) => `${m} (required by ${by})`);
}

let mainDir: string;

beforeAll(() => {
  const given = process.env.SKYSIFT_BUNDLE_DIR;
  if (given) {
    mainDir = path.resolve(given);
    return;
  }
  const out = mkdtempSync(path.join(os.tmpdir(), 'skysift-bundle-'));
  const bin = path.join(ROOT, 'node_modules', '.bin', 'electron-vite');
  const r = spawnSync(bin, ['build', '--outDir', out, '--logLevel', 'error'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (r.status !== 0)
    throw new Error(`electron-vite build failed (exit ${r.status}):\n${r.stderr}${r.stdout}`);
  mainDir = path.join(out, 'main');
}, 180_000);

describe('the engine stays in the workers (built bundles)', () => {
  it.each([
    ['index.js', 'the Electron main process'],
    ['host.js', 'the browser host'],
    ['cli.js', 'the CLI (client commands; lab commands load lazily)'],
  ])('%s (%s) loads no tfjs and no ONNX Runtime at start', (name) => {
    const entry = path.join(mainDir, name);
    expect(existsSync(entry), `${entry} was not built`).toBe(true);
    const reach = staticReach(entry);
    expect(
      engineModules(reach),
      `reached through ${reach.files.map((f) => path.basename(f)).join(', ')}`,
    ).toEqual([]);
  });

  it('the compute worker does load the engine (so the check above sees it where it is)', () => {
    const reach = staticReach(path.join(mainDir, 'worker.js'));
    const found = engineModules(reach).map((m) => m.split(' ')[0]);
    expect(found).toContain('@tensorflow/tfjs-core');
    expect(found).toContain('@tensorflow/tfjs-layers');
  });

  it("the CLI's lab commands load the engine when they run (lazily, not at start)", () => {
    const cli = readFileSync(path.join(mainDir, 'cli.js'), 'utf8');
    const lazyChunks = [...cli.matchAll(LAZY)].flatMap((m) =>
      [...m[0].matchAll(/"([^"]+)"/g)].map((x) => x[1]),
    );
    expect(lazyChunks.length).toBeGreaterThan(0);
    const engineAfterAll = lazyChunks.flatMap((c) => engineModules(staticReach(path.resolve(mainDir, c))));
    expect(engineAfterAll.length).toBeGreaterThan(0);
  });
});
