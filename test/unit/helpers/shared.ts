import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The real survey data lives beside the checkout in ../shared (never copied into the repo).
 * On a user's machine it is absent: tests that need it skip and say so; in CI it is present.
 */
export const SHARED_DIR = path.resolve(__dirname, '../../../../shared');
export const SHARED_DATA = path.join(SHARED_DIR, 'data');
export const SHARED_MODELS = path.join(SHARED_DIR, 'models');
export const HAVE_SHARED = existsSync(path.join(SHARED_DATA, 'README.md'));

if (!HAVE_SHARED) {
  console.warn(`[skysift tests] ${SHARED_DATA} is absent: tests on real survey data are skipped.`);
}

export function sharedPath(...parts: string[]): string {
  return path.join(SHARED_DATA, ...parts);
}
