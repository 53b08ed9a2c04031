import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const ROOT = path.resolve(__dirname, '../..');
export const OUTPUT = path.join(ROOT, 'test-output');

export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface HostProcess {
  url: string;
  origin: string;
  token: string;
  /** The SKYSIFT_HOME this host runs with (a fresh temp folder unless the caller set one). */
  home: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Start the built browser host (out/main/host.js) on a workspace; resolves with its URL. */
export function startHostProcess(args: string[], env: Record<string, string> = {}): Promise<HostProcess> {
  const hostJs = path.join(ROOT, 'out/main/host.js');
  if (!existsSync(hostJs)) throw new Error('out/main/host.js missing: run `npm run build` first');
  const home = mkdtempSync(path.join(os.tmpdir(), 'skysift-home-'));
  const child = spawn(process.execPath, [hostJs, ...args], {
    cwd: ROOT,
    env: { ...process.env, SKYSIFT_HOME: home, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`host did not start in 60 s:\n${output}`)), 60_000);
    child.stderr!.on('data', (d) => (output += String(d)));
    child.stdout!.on('data', (d) => {
      output += String(d);
      const m = /Skysift browser host: (http:\/\/127\.0\.0\.1:\d+)\/#token=(\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: `${m[1]}/#token=${m[2]}`,
          origin: m[1],
          token: m[2],
          home: env.SKYSIFT_HOME ?? home,
          child,
          stop: () =>
            new Promise<void>((res) => {
              if (child.exitCode !== null) return res();
              child.once('exit', () => res());
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.on('exit', (code) =>
      reject(new Error(`host exited (${code}) before printing its URL:\n${output}`)),
    );
  });
}

export async function launchChromium(userDataDir?: string): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [...CHROMIUM_FLAGS, ...(userDataDir ? [] : [])],
  });
}
