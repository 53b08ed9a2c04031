/**
 * Electron main: app lifecycle, the window, the contract on ipcMain. With src/preload, the only
 * code that imports 'electron'. Security from day one: context isolation, sandbox, no Node in the
 * renderer, a strict CSP, navigation and new windows refused, no remote content.
 */
import { app, BrowserWindow, dialog, ipcMain, session } from 'electron';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createApi } from './api';
import { Services } from './services';
import { openStartupWorkspace } from './startup';
import { VERSION } from './version';
import { CONTENT_SECURITY_POLICY } from '../shared/security';

const services = new Services({
  host: 'electron',
  version: VERSION,
  chooseFolder: async (title) => {
    const win = BrowserWindow.getFocusedWindow();
    const options = { title, properties: ['openDirectory' as const, 'createDirectory' as const] };
    const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
    return r.canceled || r.filePaths.length === 0 ? null : r.filePaths[0];
  },
});
const api = createApi(services);
const rendererIndex = path.join(__dirname, '..', 'renderer', 'index.html');
const rendererUrl = pathToFileURL(rendererIndex).toString();

function isOurPage(url: string): boolean {
  return url === rendererUrl || url.startsWith(`${rendererUrl}#`) || url.startsWith(`${rendererUrl}?`);
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1440,
    height: 900,
    backgroundColor: '#111418',
    title: 'Skysift',
    webPreferences: {
      preload: path.join(__dirname, '..', 'preload', 'index.js'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  win.webContents.on('will-navigate', (event, url) => {
    if (!isOurPage(url)) event.preventDefault();
  });
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  void win.loadFile(rendererIndex);
  return win;
}

app.enableSandbox();

app.on('web-contents-created', (_e, contents) => {
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
});

app.whenReady().then(async () => {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] },
    });
  });
  // No remote content: refuse every request that is not one of our own files.
  session.defaultSession.webRequest.onBeforeRequest((details, callback) => {
    const ok = details.url.startsWith('file://') || details.url.startsWith('devtools://');
    callback({ cancel: !ok });
  });
  session.defaultSession.setPermissionRequestHandler((_wc, _perm, callback) => callback(false));

  ipcMain.handle('skysift:invoke', async (event, call: unknown, args: unknown) => {
    if (!event.senderFrame || !isOurPage(event.senderFrame.url))
      return { ok: false, error: 'Refused: not the Skysift window' };
    try {
      return { ok: true, result: await api.handle(call, args) };
    } catch (e) {
      return { ok: false, error: (e as Error).message };
    }
  });
  api.onEvent((event, payload) => {
    for (const win of BrowserWindow.getAllWindows()) win.webContents.send('skysift:event', event, payload);
  });

  const requested = process.env.SKYSIFT_WORKSPACE;
  await openStartupWorkspace(services, requested, (line) => console.log(line));
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => {
  services.jobs.killAll();
  app.quit();
});
