/**
 * Where export files go: into a folder the user chose, under a name Skysift makes up. The folder
 * must exist (we never create folders on a typo); its real path is resolved once, so a symlinked
 * folder is followed knowingly, but a symlink planted at our file name is refused: it would
 * redirect the write outside the chosen folder. Files are written to a temp file, synced, then
 * renamed into place, and never replace an existing file (a second export the same second gets -2).
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

export class ExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExportError';
  }
}

/** A workspace name made safe for a file name: letters, digits, '.', '_' and '-' only. */
export function fileSafe(name: string): string {
  const s = name
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+|-+$/g, '')
    .slice(0, 60);
  return s || 'workspace';
}

/** UTC time as 20200531T120000Z: sorts, and has no ':' (not allowed in Windows file names). */
export function fileTimestamp(at: Date): string {
  return at
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

export function exportFileName(kind: string, workspace: string, at: Date, ext: string, attempt = 1): string {
  const suffix = attempt > 1 ? `-${attempt}` : '';
  return `skysift-${kind}-${fileSafe(workspace)}-${fileTimestamp(at)}${suffix}.${ext}`;
}

/** The start of the message for a missing output folder; the desk offers to create it on seeing it. */
export const NO_SUCH_FOLDER = 'no such folder';

/**
 * The chosen folder's real path; refuses a file given as a folder, and a missing folder unless
 * `create` (then it is made, with its parents).
 */
export async function resolveOutputFolder(folder: string, create = false): Promise<string> {
  let real: string;
  try {
    real = await fs.realpath(path.resolve(folder));
  } catch {
    if (!create)
      throw new ExportError(
        `${folder}: ${NO_SUCH_FOLDER}. Create it, or choose an existing folder to export into.`,
      );
    try {
      await fs.mkdir(path.resolve(folder), { recursive: true });
      real = await fs.realpath(path.resolve(folder));
    } catch (e) {
      throw new ExportError(`${folder}: cannot create this folder (${(e as Error).message}).`);
    }
  }
  const stat = await fs.stat(real);
  if (!stat.isDirectory()) throw new ExportError(`${folder}: not a folder. Choose a folder to export into.`);
  return real;
}

async function lstatOrNull(file: string) {
  try {
    return await fs.lstat(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/**
 * Write `data` as a new file in `folder` named by `name(attempt)`, atomically, never clobbering.
 * Returns the absolute path written.
 */
export async function writeExportFile(
  folder: string,
  name: (attempt: number) => string,
  data: string,
  opts: { createFolder?: boolean } = {},
): Promise<string> {
  const dir = await resolveOutputFolder(folder, opts.createFolder === true);
  for (let attempt = 1; attempt <= 100; attempt++) {
    const base = name(attempt);
    if (base.includes('/') || base.includes('\\') || base.startsWith('.'))
      throw new ExportError(`internal: export file name "${base}" is not a plain name`);
    const target = path.join(dir, base);
    const existing = await lstatOrNull(target);
    if (existing?.isSymbolicLink())
      throw new ExportError(
        `${target} is a symbolic link: refusing to write through it (it could point outside ${dir}). Remove it or choose another folder.`,
      );
    if (existing) continue;
    // 'wx' creates the temp file exclusively: it cannot follow a link someone placed at that name.
    const tmp = path.join(dir, `.${base}.${randomBytes(6).toString('hex')}.tmp`);
    const handle = await fs.open(tmp, 'wx');
    try {
      await handle.writeFile(data, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      // Re-check just before the rename: the window is small, and rename replaces a link rather
      // than writing through it, so the worst a race can do is replace that link.
      if (await lstatOrNull(target)) {
        await fs.rm(tmp, { force: true });
        continue;
      }
      await fs.rename(tmp, target);
    } catch (e) {
      await fs.rm(tmp, { force: true });
      throw e;
    }
    return target;
  }
  throw new ExportError(`${dir}: 100 export files with the same name and time already exist; try again.`);
}
