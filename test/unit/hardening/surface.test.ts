/**
 * The rest of the attack surface (issue 9, part 3): exported files never follow a symlink out of
 * the chosen folder, and no code outside the renderer builds a shell command (the one child process
 * is the compute worker, forked from a fixed file with a fixed argv; user input travels as a
 * validated IPC message, never as a command line).
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExportError, writeExportFile } from '../../../src/main/export/outputFile';

const SRC = path.resolve(__dirname, '../../../src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'renderer' ? [] : sources(full);
    return /\.(ts|tsx|mts|cts|js|mjs)$/.test(e.name) ? [full] : [];
  });
}

describe('exports and symlinks', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'skysift-surface-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('refuses to write through a symlink placed at the export name, and leaves its target alone', async () => {
    const chosen = path.join(tmp, 'chosen');
    const outside = path.join(tmp, 'outside');
    mkdirSync(chosen);
    mkdirSync(outside);
    writeFileSync(path.join(outside, 'victim.txt'), 'precious');
    symlinkSync(path.join(outside, 'victim.txt'), path.join(chosen, 'export.csv'));
    await expect(writeExportFile(chosen, () => 'export.csv', 'a,b\r\n')).rejects.toThrow(ExportError);
    await expect(writeExportFile(chosen, () => 'export.csv', 'a,b\r\n')).rejects.toThrow(/symbolic link/);
    expect(readFileSync(path.join(outside, 'victim.txt'), 'utf8')).toBe('precious');
    // A symlinked folder inside the chosen one is never a target: names are plain, no separators.
    symlinkSync(outside, path.join(chosen, 'sub'));
    await expect(writeExportFile(chosen, () => 'sub/x.csv', 'a')).rejects.toThrow(/not a plain name/);
    await expect(writeExportFile(chosen, () => '../x.csv', 'a')).rejects.toThrow(/not a plain name/);
    expect(existsSync(path.join(outside, 'x.csv'))).toBe(false);
    // A fresh name is written, inside the chosen folder.
    const written = await writeExportFile(chosen, () => 'fresh.csv', 'ok');
    expect(path.dirname(written)).toBe(chosen);
    expect(readFileSync(written, 'utf8')).toBe('ok');
  });
});

describe('no shell commands', () => {
  it('no source outside the renderer spawns a shell or runs exec; fork is only the worker, with a fixed argv', () => {
    const offenders: string[] = [];
    const forks: string[] = [];
    for (const file of sources(SRC)) {
      const text = readFileSync(file, 'utf8');
      const rel = path.relative(SRC, file);
      if (/\b(exec|execSync|execFile|execFileSync|spawnSync)\s*\(/.test(text) && /child_process/.test(text))
        offenders.push(`${rel}: exec*`);
      if (/shell\s*:\s*true/.test(text)) offenders.push(`${rel}: shell: true`);
      if (/\bspawn\s*\(/.test(text) && /child_process/.test(text)) offenders.push(`${rel}: spawn`);
      if (
        /require\(['"]child_process['"]\)|from ['"](node:)?child_process['"]/.test(text) &&
        /\bfork\s*\(/.test(text)
      )
        forks.push(rel);
    }
    expect(offenders).toEqual([]);
    // The job manager forks the built worker with an empty argv; the job arrives as a zod-checked message.
    const jm = readFileSync(path.join(SRC, 'main/jobs/jobManager.ts'), 'utf8');
    expect(jm).toMatch(/fork\(builtFile\('worker\.js'\), \[\],/);
    console.log(
      `[surface] child processes: fork only, in ${forks.join(', ') || '(none)'}; no exec/spawn/shell in src/`,
    );
  });
});
