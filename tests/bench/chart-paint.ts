import { launchChromium } from '../support/chromium';
import { chartHasBars, nextPaint } from '../support/page-probes';
import { startServeProcess } from '../support/serve-process';

/**
 * Cold start to first chart over an existing data folder: `metalytics serve` starting its core
 * on the stored history, then Chromium loading the UI and painting the default chart. The
 * browser is launched beforehand, as a desktop window would already exist.
 */
export async function benchColdStartToChart(dataDir: string, storedBars: number) {
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
      return {
        figure: 'cold-start',
        storedBars,
        serverReadyMs: (serverReady - started).toFixed(0),
        pageToChartMs: (painted - serverReady).toFixed(0),
        totalMs: (painted - started).toFixed(0),
      };
    } finally {
      await server.stop();
    }
  } finally {
    await browser.close();
  }
}
