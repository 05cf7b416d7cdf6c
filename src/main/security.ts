import { BrowserWindow, shell, type Session, type WebContents } from 'electron';
import type { Logger } from '../core/ports';
import { contentSecurityPolicy } from '../shared/content-security-policy';
import { windowIdArgument } from '../shared/window-id';
import { isAppUrl, isSafeExternalUrl } from './url-policy';

/** The one way a URL leaves the app: only http(s) pages, opened in the system browser. */
export function openExternalSafely(url: string, logger: Logger): boolean {
  if (!isSafeExternalUrl(url)) {
    logger.warn('refused to open a non-web URL outside the app', { scheme: url.split(':', 1)[0] ?? '' });
    return false;
  }
  shell.openExternal(url).catch((error: unknown) => logger.warn('the system browser did not open a link', { error }));
  return true;
}

/**
 * Session-wide rules: every permission request (camera, notifications, geolocation…) is
 * denied, and the dev server's pages get the CSP as a header. Built files load from file://,
 * which has no headers; the build puts the same policy in index.html's <meta>.
 */
export function hardenSession(session: Session, options: { devServerUrl: string | undefined }): void {
  session.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false));
  // Writing copied values to the clipboard is the only capability the charts and tables use.
  session.setPermissionCheckHandler((_webContents, permission) => permission === 'clipboard-sanitized-write');
  session.setDevicePermissionHandler(() => false);

  if (options.devServerUrl) {
    const policy = contentSecurityPolicy('development');
    session.webRequest.onHeadersReceived({ urls: [`${new URL(options.devServerUrl).origin}/*`] }, (details, callback) => {
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [policy] } });
    });
  }
}

/**
 * Applied to every web contents the app creates: no navigation away from the app, no new
 * windows (web links go to the system browser), no <webview>.
 */
export function hardenWebContents(contents: WebContents, options: { appUrl: string; logger: Logger }): void {
  contents.setWindowOpenHandler(({ url }) => {
    openExternalSafely(url, options.logger);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event) => {
    event.preventDefault();
    if (!isAppUrl(event.url, options.appUrl)) openExternalSafely(event.url, options.logger);
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/** `windowId` names the window to its page (see shared/window-id.ts), which keeps its chart layout under it. */
export function createMainWindow(options: { preloadPath: string; devTools: boolean; windowId: string }): BrowserWindow {
  const window = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    show: false,
    title: 'Metalytics',
    backgroundColor: '#0f1115',
    webPreferences: {
      preload: options.preloadPath,
      additionalArguments: [windowIdArgument(options.windowId)],
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      devTools: options.devTools,
      spellcheck: false,
      // A middle click would otherwise open a link in a new window; the open handler denies
      // that too, but without the event there is nothing to deny.
      disableBlinkFeatures: 'Auxclick',
    },
  });
  window.once('ready-to-show', () => window.show());
  return window;
}
