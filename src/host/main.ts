/**
 * `node out/main/host.js [--workspace DIR] [--port N]`: serve the renderer and the contract to a
 * browser on 127.0.0.1. Prints the URL (with the per-launch token) as the first line on stdout.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createApi } from '../main/api';
import { Services } from '../main/services';
import { openStartupWorkspace } from '../main/startup';
import { VERSION } from '../main/version';
import { startHost } from './server';

async function main() {
  const { values } = parseArgs({
    options: {
      workspace: { type: 'string' },
      port: { type: 'string' },
      'static-dir': { type: 'string' },
    },
  });
  const services = new Services({ host: 'browser', version: VERSION });
  const api = createApi(services);
  const staticDir = values['static-dir'] ?? path.join(__dirname, '..', 'renderer');
  const host = await startHost({ api, staticDir, port: values.port ? Number(values.port) : 0 });
  console.log(`Skysift browser host: ${host.url}`);
  await openStartupWorkspace(services, values.workspace, (line) => console.log(line));
  const stop = async () => {
    services.jobs.killAll();
    await host.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e) => {
  console.error(`skysift host: ${(e as Error).message}`);
  process.exit(1);
});
