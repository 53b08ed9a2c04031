import { promises as fs } from 'node:fs';
import path from 'node:path';

export class WalkLimitError extends Error {}

/**
 * List files under a folder, recursively, without following symlinked folders (no loops, no
 * escaping the folder the user chose) and refusing past `maxFiles` with a clear message.
 */
export async function listFiles(root: string, maxFiles = 5_000_000): Promise<string[]> {
  const out: string[] = [];
  const stack = [root];
  while (stack.length) {
    const dir = stack.pop()!;
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (e) {
      if (dir === root) throw new Error(`${root}: cannot read this folder (${(e as Error).message})`);
      continue;
    }
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) stack.push(full);
      else if (e.isFile()) {
        out.push(full);
        if (out.length > maxFiles) {
          throw new WalkLimitError(
            `${root}: more than ${maxFiles} files; ingest it in parts (one subfolder at a time).`,
          );
        }
      }
    }
  }
  return out.sort();
}
