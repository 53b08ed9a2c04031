import { execFileSync } from 'node:child_process';

/** Debian's interpreter, where python3-astropy lives (a python3 earlier on PATH, e.g. pyenv's, has no astropy). */
export const DEBIAN_PYTHON = '/usr/bin/python3';

/** Whether Debian's python3 imports `module` (e.g. 'astropy.io.fits'); scripts/setup-votable-tools.sh installs it. */
export function havePythonModule(module: string): boolean {
  try {
    execFileSync(DEBIAN_PYTHON, ['-c', `import ${module}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
