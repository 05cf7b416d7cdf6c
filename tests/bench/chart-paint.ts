import type { Page } from 'playwright-core';
import { launchChromium } from '../support/chromium';
import { chartDrew, chartHasBars, nextPaint } from '../support/page-probes';
import { startServeProcess } from '../support/serve-process';

/** Clicks a timeframe and times it to the first frame painted with the answer. */
async function timeToPaintedChart(page: Page, timeframe: string): Promise<{ ms: number; bars: number }> {
  const started = performance.now();
  await page.getByTestId(`tf-${timeframe}`).click();
  await page.waitForFunction(chartDrew, timeframe, { timeout: 60_000, polling: 'raf' });
  await page.evaluate(nextPaint);
  const ms = performance.now() - started;
  return { ms, bars: Number(await page.getByTestId('price-chart').getAttribute('data-bars')) };
}

/** Adds an indicator with its default parameters and waits for its chip (`chipId` is kind + defaults). */
async function addIndicator(page: Page, kind: string, chipId: string): Promise<void> {
  if (!(await page.getByTestId('indicators-menu').isVisible())) await page.getByTestId('indicators-button').click();
  await page.getByTestId(`indicator-add-${kind}`).click();
  await page.getByTestId(`indicator-chip-${chipId}`).waitFor();
}

/**
 * The UI figures over an existing data folder, through the real `metalytics serve` and
 * Chromium: cold start to the first painted chart (the browser is launched beforehand, as a
 * desktop window would already exist), then request-to-paint for 2,000 candles with three
 * indicators and for the zoomed-out weekly view of the whole history.
 */
export async function benchChartPaint(dataDir: string, storedBars: number) {
  const browser = await launchChromium();
  try {
    const started = performance.now();
    const server = await startServeProcess(dataDir);
    const serverReady = performance.now();
    try {
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      await page.goto(server.url);
      await page.waitForFunction(chartHasBars, undefined, { timeout: 60_000 });
      await page.evaluate(nextPaint);
      const painted = performance.now();
      const rows: Array<Record<string, string | number>> = [
        {
          figure: 'cold-start',
          storedBars,
          serverReadyMs: (serverReady - started).toFixed(0),
          pageToChartMs: (painted - serverReady).toFixed(0),
          totalMs: (painted - started).toFixed(0),
        },
      ];

      for (const [kind, chipId] of [['sma', 'sma-20'], ['bbands', 'bbands-20-2'], ['rsi', 'rsi-14']] as const) await addIndicator(page, kind, chipId);
      await page.keyboard.press('Escape');
      for (const [view, timeframe] of [
        ['2,000 candles + SMA, Bollinger, RSI', '1h'],
        ['same, 1m', '1m'],
        ['whole history zoomed out (weekly) + 3 indicators', '1w'],
      ] as const) {
        const { ms, bars } = await timeToPaintedChart(page, timeframe);
        rows.push({ figure: 'chart-paint', storedBars, view, timeframe, candles: bars, requestToPaintMs: ms.toFixed(0) });
      }
      return rows;
    } finally {
      await server.stop();
    }
  } finally {
    await browser.close();
  }
}
