/**
 * Functions Playwright runs inside the page. They are passed as functions, not strings:
 * the app's Content-Security-Policy forbids eval, which string predicates rely on. Each is
 * serialised on its own, so none may use anything from this module; the Node test project
 * has no DOM types, so the page globals are described by a type only.
 */
type PageGlobals = {
  document: { querySelector(selector: string): { getAttribute(name: string): string | null } | null };
  location: { href: string };
  requestAnimationFrame(callback: () => void): void;
};

/** The price chart holds bars (set after `setData`). */
export function chartHasBars(): boolean {
  const { document } = globalThis as unknown as PageGlobals;
  return Number(document.querySelector('[data-testid="price-chart"]')?.getAttribute('data-bars')) > 0;
}

/** The chart has drawn the bars of `timeframe` (its `data-view` is `SYMBOL|timeframe`). */
export function chartDrew(timeframe: string): boolean {
  const { document } = globalThis as unknown as PageGlobals;
  return document.querySelector('[data-testid="price-chart"]')?.getAttribute('data-view')?.endsWith(`|${timeframe}`) === true;
}

/** The access token has been read and removed from the address bar. */
export function tokenRemovedFromUrl(): boolean {
  const { location } = globalThis as unknown as PageGlobals;
  return !location.href.includes('token=');
}

/** Resolves after the browser has painted two more frames. */
export function nextPaint(): Promise<void> {
  const { requestAnimationFrame } = globalThis as unknown as PageGlobals;
  return new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
}
