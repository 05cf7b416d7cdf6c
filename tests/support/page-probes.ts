/**
 * Functions Playwright runs inside the page. They are passed as functions, not strings:
 * the app's Content-Security-Policy forbids eval, which string predicates rely on. Each is
 * serialised on its own, so none may use anything from this module; the Node test project
 * has no DOM types, so the page globals are described by a type only.
 */
type PageGlobals = {
  document: { querySelector(selector: string): { getAttribute(name: string): string | null; click(): void } | null };
  location: { href: string };
  requestAnimationFrame(callback: () => void): void;
  performance: { now(): number; clearResourceTimings(): void; getEntriesByType(type: 'resource'): { name: string; startTime: number }[] };
  MutationObserver: new (callback: () => void) => { observe(target: unknown, options: { attributes: boolean; attributeFilter: string[] }): void; disconnect(): void };
  MessageChannel: new () => { port1: { onmessage: (() => void) | null }; port2: { postMessage(message: unknown): void } };
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

/**
 * From now on, notes when the price chart first holds `bars` bars or more, and keeps the
 * timing of every request from here (see barsAndBarReads).
 */
export function watchBarsAndBarReads(bars: number): void {
  const { document, performance, MutationObserver } = globalThis as unknown as PageGlobals;
  const probe = globalThis as unknown as { barsReachedAt: number | null };
  probe.barsReachedAt = null;
  performance.clearResourceTimings();
  const chart = document.querySelector('[data-testid="price-chart"]');
  new MutationObserver(() => {
    if (probe.barsReachedAt === null && Number(chart?.getAttribute('data-bars')) >= bars) probe.barsReachedAt = performance.now();
  }).observe(chart, { attributes: true, attributeFilter: ['data-bars'] });
}

/** Since watchBarsAndBarReads: when the chart reached its bars, and when each bars or indicators query left. */
export function barsAndBarReads(): { barsReachedAt: number | null; reads: number[] } {
  const { performance } = globalThis as unknown as PageGlobals;
  const { barsReachedAt } = globalThis as unknown as { barsReachedAt: number | null };
  const reads = performance
    .getEntriesByType('resource')
    .filter((entry) => /\/api\/(bars|indicators)\.query$/.test(entry.name))
    .map((entry) => entry.startTime);
  return { barsReachedAt, reads };
}

/**
 * Runs before the app's scripts (page.addInitScript): notes when the app last read a
 * `bars.appended` event off its event socket (the web client parses each message with
 * JSON.parse), so a live update can be timed from the page's receipt of the event, without the
 * test's own relay of it. Playwright's WebSocket routing replaces the page's WebSocket, so the
 * parse is the first place the app's own code sees the message.
 */
export function stampLiveEvents(): void {
  const page = globalThis as unknown as { JSON: { parse(text: string, reviver?: unknown): unknown }; performance: { now(): number }; lastLiveEventAt: number };
  const parse = page.JSON.parse;
  page.JSON.parse = (text: string, reviver?: unknown) => {
    if (typeof text === 'string' && text.startsWith('{"name":"bars.appended"')) page.lastLiveEventAt = page.performance.now();
    return parse(text, reviver);
  };
}

/** Resolves after the browser has painted two more frames. */
export function nextPaint(): Promise<void> {
  const { requestAnimationFrame } = globalThis as unknown as PageGlobals;
  return new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
}

/**
 * Milliseconds from now (after clicking `click`, when given) until the first frame in which
 * the price chart shows `view` (its `data-view`) and more than `moreBarsThan` bars has been
 * rendered: checked at every animation frame, the end taken after that frame's rendering (a
 * message posted from the frame's callbacks runs once it is done). Timed inside the page, so
 * no round trip to the test process is counted. (No named inner functions: tsx would wrap
 * them in a helper the page does not have.)
 */
export function timeToRenderedFrame({ click, view, moreBarsThan = 0 }: { click?: string; view?: string; moreBarsThan?: number }): Promise<{
  ms: number;
  sinceEventMs: number | null;
  eventToBarsMs: number | null;
}> {
  const { document, requestAnimationFrame, performance, MessageChannel, MutationObserver } = globalThis as unknown as PageGlobals;
  const started = performance.now();
  // When the chart took the bars: its update sets data-bars, and the observer runs once that task's work is done.
  let barsAt: number | null = null;
  const watched = document.querySelector('[data-testid="price-chart"]');
  // Disconnected once the frame is timed: a bench times many frames on one page, and observers
  // left behind would all run at every later update, inside the frames being timed.
  const barsObserver = new MutationObserver(() => {
    if (barsAt === null && Number(watched?.getAttribute('data-bars')) > moreBarsThan) barsAt = performance.now();
  });
  barsObserver.observe(watched, { attributes: true, attributeFilter: ['data-bars'] });
  if (click !== undefined) {
    const button = document.querySelector(click);
    if (!button) {
      barsObserver.disconnect();
      return Promise.reject(new Error(`nothing matches ${click}`));
    }
    button.click();
  }
  return (async () => {
    for (;;) {
      const chart = document.querySelector('[data-testid="price-chart"]');
      if ((view === undefined || chart?.getAttribute('data-view') === view) && Number(chart?.getAttribute('data-bars')) > moreBarsThan) break;
      await new Promise((frame) => requestAnimationFrame(() => frame(null)));
    }
    const rendered = new MessageChannel();
    await new Promise((done) => {
      rendered.port1.onmessage = () => done(null);
      rendered.port2.postMessage(null);
    });
    const ended = performance.now();
    barsObserver.disconnect();
    const { lastLiveEventAt } = globalThis as unknown as { lastLiveEventAt?: number };
    return {
      ms: ended - started,
      sinceEventMs: lastLiveEventAt === undefined ? null : ended - lastLiveEventAt,
      eventToBarsMs: lastLiveEventAt === undefined || barsAt === null ? null : barsAt - lastLiveEventAt,
    };
  })();
}

/** One text a chart drew on a canvas, and whether any of it fell outside that canvas (a cut label). */
export interface DrawnText {
  text: string;
  cut: boolean;
}

/**
 * Installed before the page loads (`addInitScript`): every `fillText` on a canvas is recorded
 * with its measured box, so a test reads what the charts drew on their axes and whether a label
 * was clipped at a canvas edge. Read and cleared by `takeDrawnText`.
 */
export function recordCanvasText(): void {
  type Context = {
    canvas: { width: number; height: number };
    measureText(text: string): { actualBoundingBoxLeft: number; actualBoundingBoxRight: number; actualBoundingBoxAscent: number; actualBoundingBoxDescent: number };
    getTransform(): { a: number; d: number; e: number; f: number };
  };
  const page = globalThis as unknown as { CanvasRenderingContext2D: { prototype: { fillText(text: string, x: number, y: number): void } }; __drawnText: DrawnText[] };
  page.__drawnText = [];
  const prototype = page.CanvasRenderingContext2D.prototype;
  const fillText = prototype.fillText;
  prototype.fillText = function (this: Context, text: string, x: number, y: number) {
    const box = this.measureText(text);
    const { a, d, e, f } = this.getTransform();
    const left = e + a * (x - box.actualBoundingBoxLeft);
    const right = e + a * (x + box.actualBoundingBoxRight);
    const top = f + d * (y - box.actualBoundingBoxAscent);
    const bottom = f + d * (y + box.actualBoundingBoxDescent);
    // Half a device pixel of anti-aliasing is not a cut label.
    const cut = left < -0.5 || top < -0.5 || right > this.canvas.width + 0.5 || bottom > this.canvas.height + 0.5;
    page.__drawnText.push({ text, cut });
    fillText.call(this, text, x, y);
  };
}

/** What `recordCanvasText` recorded since the last call, then forgotten. */
export function takeDrawnText(): DrawnText[] {
  const page = globalThis as unknown as { __drawnText?: DrawnText[] };
  const drawn = page.__drawnText ?? [];
  page.__drawnText = [];
  return drawn;
}
