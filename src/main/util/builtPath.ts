import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * Locate a file of the build (out/main/...). From the bundle it sits beside __dirname; from the
 * sources (tests) we walk up to the package root.
 */
export function builtFile(name: string): string {
  const beside = path.join(__dirname, name);
  if (existsSync(beside)) return beside;
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'out', 'main', name);
    if (existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error(`${name} not found beside ${__dirname} or in out/main: run \`npm run build\` first`);
}
