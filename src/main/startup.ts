/**
 * Which workspace the app opens at start: the one asked for, else the last one used, else the
 * embedded demo night (created, ingested and scored on first run).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomicSync } from './util/atomicWrite';
import type { Services } from './services';

export function skysiftHome(): string {
  return process.env.SKYSIFT_HOME ?? path.join(os.homedir(), '.skysift');
}

function lastWorkspaceFile() {
  return path.join(skysiftHome(), 'last-workspace.json');
}

export function rememberWorkspace(dir: string): void {
  mkdirSync(skysiftHome(), { recursive: true });
  writeFileAtomicSync(lastWorkspaceFile(), JSON.stringify({ dir }));
}

function lastWorkspace(): string | null {
  try {
    const { dir } = JSON.parse(readFileSync(lastWorkspaceFile(), 'utf8')) as { dir?: string };
    return dir && existsSync(path.join(dir, 'workspace.json')) ? dir : null;
  } catch {
    return null;
  }
}

export async function openStartupWorkspace(
  services: Services,
  requested: string | undefined,
  log: (line: string) => void,
) {
  const dir = requested ?? lastWorkspace();
  if (dir) {
    const ws = await services.openWorkspace(dir, !!requested);
    rememberWorkspace(ws.dir);
    log(`Workspace: ${ws.dir} (${ws.size} candidates)`);
    return ws;
  }
  // First run: the embedded demo night, simulated, ingested and scored by a worker job.
  const demoDir = path.join(skysiftHome(), 'demo-night');
  const ws = await services.openWorkspace(demoDir, true, {
    simulated: true,
    name: 'Demo night (simulated DES-like stamps)',
  });
  rememberWorkspace(ws.dir);
  if (ws.size === 0) {
    await services.jobs.start('demo', {});
    log(`First run: simulating a demo night in ${ws.dir} (a job: the desk fills as it finishes).`);
  } else log(`Workspace: ${ws.dir} (${ws.size} candidates)`);
  return ws;
}
