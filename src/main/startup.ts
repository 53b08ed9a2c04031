/**
 * Which night the app opens at start: the one asked for, else the one opened last (the home
 * remembers it), else the embedded demo night (created, ingested and scored on first run).
 */
import path from 'node:path';
import type { Services } from './services';

export async function openStartupWorkspace(
  services: Services,
  requested: string | undefined,
  log: (line: string) => void,
) {
  const dir = requested ?? services.state.home.lastNight();
  if (dir) {
    const ws = await services.nights.open(dir, !!requested);
    log(`Workspace: ${ws.dir} (${ws.size} candidates)`);
    return ws;
  }
  // First run: the embedded demo night, simulated, ingested and scored by a worker job.
  const demoDir = path.join(services.state.home.root, 'demo-night');
  const ws = await services.nights.open(demoDir, true, {
    simulated: true,
    name: 'Demo night (simulated DES-like stamps)',
  });
  if (ws.size === 0) {
    await services.jobs.startDemo();
    log(`First run: simulating a demo night in ${ws.dir} (a job: the desk fills as it finishes).`);
  } else log(`Workspace: ${ws.dir} (${ws.size} candidates)`);
  return ws;
}
