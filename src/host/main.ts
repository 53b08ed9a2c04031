/**
 * `node out/main/host.js [--workspace DIR] [--home DIR] [--port N]`: serve the renderer and the contract to a
 * browser on 127.0.0.1. Prints the URL (with the per-launch token) as the first line on stdout.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createApp, VERSION } from '../main/api';
import { startHost } from './server';

async function main() {
  const { values } = parseArgs({
    options: {
      workspace: { type: 'string' },
      home: { type: 'string' },
      port: { type: 'string' },
      'static-dir': { type: 'string' },
    },
  });
  const app = createApp({ host: 'browser', version: VERSION, home: values.home });
  const staticDir = values['static-dir'] ?? path.join(__dirname, '..', 'renderer');
  const host = await startHost({ api: app.api, staticDir, port: values.port ? Number(values.port) : 0 });
  console.log(`Skysift browser host: ${host.url}`);
  await app.openStartupNight(values.workspace, (line) => console.log(line));
  const stop = async () => {
    app.stop();
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
