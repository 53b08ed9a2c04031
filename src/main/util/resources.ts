import { existsSync } from 'node:fs';
import path from 'node:path';

/** The app's resources/ folder, from the bundle (out/main) or from the sources (tests). */
export function resourcesDir(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'resources');
    if (existsSync(path.join(candidate, 'models'))) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error(`resources/models not found above ${__dirname}: the installation is incomplete`);
}

/** The shipped default model: the one version folder under resources/models/default. */
export function shippedModelDir(): string {
  return path.join(resourcesDir(), 'models', 'default');
}
