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
      // Reviewed (Electronegativity PRELOAD_JS_CHECK): the preload runs sandboxed and exposes only
      // window.skysift = { invoke(call, args), on(event) } through contextBridge; every call is
      // checked against the zod contract in main. No Node API, no ipcRenderer, reaches the page.
      preload: path.join(__dirname, '..', 'preload', 'index.js'), // eng-disable PRELOAD_JS_CHECK
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      spellcheck: false,
      // Middle-click would open a link in a new window (Electronegativity AUXCLICK_JS_CHECK).
      disableBlinkFeatures: 'Auxclick',
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
  // The CSP is the shared constant (src/shared/security.ts), so Electronegativity cannot read it here
  // (CSP_GLOBAL_CHECK "failed to parse"); the same string, checked in renderer/index.html, draws
  // only csp-evaluator's "'self' can be problematic if you host JSONP, Angular or user uploads":
  // our origin serves nothing but the built bundle (file:// here, the build folder in the host).
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    const responseHeaders = { ...details.responseHeaders };
    responseHeaders['Content-Security-Policy'] = [CONTENT_SECURITY_POLICY]; // eng-disable CSP_GLOBAL_CHECK
    callback({ responseHeaders });
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
