/**
 * The Electron security scanner (issue 9, part 3): Electronegativity over src/, Electron 45. Every
 * finding must be fixed, or justified in a comment next to the code (an `eng-disable` annotation,
 * which the scanner honours). The one finding left in a file this suite does not own is listed below
 * with its justification. Skips, saying so, where the scanner is not installed.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../../..');
const MODULE = process.env.ELECTRONEGATIVITY_MODULE ?? '@doyensec/electronegativity';
const ELECTRON_VERSION = '45.5.0';

/** Findings accepted after review, with why (file relative to src/). */
const JUSTIFIED: { id: string; file: string; why: string }[] = [
  {
    id: 'CSP_GLOBAL_CHECK',
    file: 'renderer/index.html',
    why:
      "csp-evaluator's MEDIUM_MAYBE on script-src 'self' (\"problematic if you host JSONP, Angular or user " +
      'uploaded files"): the origin is file:// (Electron) or the host serving only the build folder, with no ' +
      'JSONP endpoint, no Angular and no uploads. Annotating the HTML with <!-- eng-disable CSP_GLOBAL_CHECK --> ' +
      'would retire this entry.',
  },
];

type Run = (
  opts: Record<string, unknown>,
) => Promise<{ issues: { id: string; file: string; location: { line: number } }[] }>;

function loadScanner(): Run | null {
  try {
    return createRequire(path.join(ROOT, 'package.json'))(MODULE) as Run;
  } catch {
    return null;
  }
}

const scan = loadScanner();
if (!scan)
  console.warn(`[electronegativity] ${MODULE} is not installed: the Electron security scan is skipped.`);

describe.skipIf(!scan)('Electronegativity', () => {
  it(`finds nothing unjustified in src/ (Electron ${ELECTRON_VERSION})`, async () => {
    const log = console.log;
    let result: Awaited<ReturnType<Run>>;
    try {
      // It prints its progress and tries to fetch Electron's release list (no network here: it goes on).
      console.log = () => {};
      result = await scan!({
        input: path.join(ROOT, 'src'),
        isRelative: true,
        electronVersionOverride: ELECTRON_VERSION,
        customScan: [],
        excludeFromScan: [],
        parserPlugins: [],
      });
    } finally {
      console.log = log;
    }
    const found = result.issues.map((i) => ({
      id: i.id,
      file: i.file.split(path.sep).join('/'),
      line: i.location.line,
    }));
    const unjustified = found.filter((f) => !JUSTIFIED.some((j) => j.id === f.id && j.file === f.file));
    console.log(
      `[electronegativity] ${found.length} finding(s), ${unjustified.length} unjustified` +
        found.map((f) => `\n    ${f.id} ${f.file}:${f.line}`).join(''),
    );
    expect(unjustified).toEqual([]);
  }, 120_000);
});
