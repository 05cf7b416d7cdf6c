/**
 * Pure URL and sender checks behind the window's security rules; kept free of Electron so
 * they are unit-tested on their own.
 */

function parseUrl(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

/**
 * Only web pages may leave the app for the system browser: `file:`, `javascript:`, custom
 * schemes and URLs carrying credentials (`https://bank.example@evil.example`) are refused.
 */
export function isSafeExternalUrl(value: string): boolean {
  const url = parseUrl(value);
  if (!url) return false;
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return false;
  return url.hostname !== '' && url.username === '' && url.password === '';
}

/**
 * Whether `candidate` is a page of the app loaded from `appUrl`. The dev server is matched by
 * origin (client-side routes change the path); a `file:` page has no real origin, so it must
 * be exactly our index.html.
 */
export function isAppUrl(candidate: string, appUrl: string): boolean {
  const url = parseUrl(candidate);
  const app = parseUrl(appUrl);
  if (!url || !app) return false;
  if (app.protocol === 'file:') return url.protocol === 'file:' && url.pathname === app.pathname && url.host === app.host;
  if (app.protocol !== 'http:' && app.protocol !== 'https:') return false;
  return url.origin === app.origin;
}

export interface SenderInfo {
  /** `event.sender.id` of the IPC message. */
  webContentsId: number;
  /** `event.senderFrame`: null when the frame navigated away or was destroyed before the message was handled. */
  frame: { url: string; isMainFrame: boolean } | null;
}

/**
 * An IPC message is ours only when it comes from the main frame of one of our windows and that
 * frame still shows the app: an iframe, a foreign page or a destroyed frame is refused.
 */
export function isTrustedSender(sender: SenderInfo, trusted: { webContentsIds: ReadonlySet<number>; appUrl: string }): boolean {
  if (!trusted.webContentsIds.has(sender.webContentsId)) return false;
  if (!sender.frame || !sender.frame.isMainFrame) return false;
  return isAppUrl(sender.frame.url, trusted.appUrl);
}
