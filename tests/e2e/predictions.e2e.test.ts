/**
 * The Predictions screen and the Markets forecast overlay in real Chromium against the real
 * `metalytics serve`: a ridge trained and activated on the demo prices, forecasts made back in
 * time and scored by a predict run (their actual bars exist), and one made now, drawn with
 * their intervals over the candles and listed against the actual closes beside naive's, with
 * the live score and drift state.
 * Requires a built renderer (`npm run build`; npm test does it). Writes docs/predictions.png.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skillSentence, skillVerdict } from '../../src/shared/model-verdicts';
import { closeApp, docsDir, openAppPage, requireBuiltRenderer } from '../support/app-page';
import { launchChromium } from '../support/chromium';
import { startServeProcess, type ServeProcess } from '../support/serve-process';

const SYMBOL = 'DEMO.XAUUSD';
const DAY = 86_400_000;

let browser: Browser;
let server: ServeProcess;
let page: Page;
let modelId: string;

const price = (value: number) => new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(value);

beforeAll(async () => {
  requireBuiltRenderer();
  server = await startServeProcess();
  await server.call('demo.load', {});
  const trained = await server.call('models.train', { symbol: SYMBOL, timeframe: '1d', modelType: 'ridge', horizon: 1, wait: true });
  modelId = trained.result!.modelId;
  await server.call('models.activate', { modelId });
  // Forecasts made from bars of the last weeks: their target bars are stored, so they can be scored.
  const { bars } = await server.call('bars.query', { symbol: SYMBOL, timeframe: '1d', limit: 30 });
  for (const bar of bars.slice(0, -1).filter((_, i) => i % 3 === 0)) {
    await server.call('predictions.make', { modelId, asOf: bar.time, store: true });
  }
  // A predict run scores what has its actual bar (and forecasts from the latest one), as when bars land.
  const job = await server.call('jobs.create', { name: 'Forecast demo gold', kind: 'predict', symbols: [SYMBOL], timeframe: '1d', schedule: null });
  await server.call('jobs.runNow', { id: job.id });
  const scoredBy = Date.now() + 60_000;
  while ((await server.call('predictions.query', { modelId })).performance.length === 0) {
    if (Date.now() > scoredBy) throw new Error(`The predict run scored nothing within 60 s:\n${server.output().slice(-2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  browser = await launchChromium();
  page = await openAppPage(browser, server);
}, 240_000);

afterAll(() => closeApp({ page, browser, server }));

describe('Predictions in the browser against metalytics serve', () => {
  it('opens on the active model, with its test verdict and its stored forecasts over the candles', async () => {
    await page.getByTestId('nav-predictions').click();
    await page.getByTestId('screen-predictions').waitFor();
    await expect.poll(() => page.getByTestId('predictions-model').inputValue()).toBe(modelId);
    const detail = await server.call('models.get', { modelId });
    expect(await page.getByTestId('predictions-verdict').textContent()).toBe(skillSentence(skillVerdict(detail.modelType, detail.metrics)));

    const { predictions } = await server.call('predictions.query', { modelId });
    expect(predictions.length).toBeGreaterThan(0);
    const targets = new Set(predictions.map((p) => p.targetTime));
    await expect.poll(() => page.getByTestId('price-chart').getAttribute('data-forecast-points')).toBe(String(targets.size));
    expect(Number(await page.getByTestId('price-chart').getAttribute('data-bars'))).toBeGreaterThan(100);
    const { performance } = await server.call('predictions.query', { modelId });
    expect(await page.getByTestId('predictions-live-score').textContent()).toContain(`${performance.at(-1)!.samples} scored`);
    expect(await page.getByTestId('drift-state').getAttribute('data-tone')).not.toBe('none');
    expect(await page.getByTestId('drift-state').textContent()).toContain(`over ${detail.drift!.scored} scored predictions`);
  });

  it('lists forecasts against the actual closes and naive’s forecast of the same bars, as the core scored them', async () => {
    const { predictions } = await server.call('predictions.query', { modelId });
    const scored = predictions.filter((p) => p.actual !== null);
    expect(scored.length).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('forecast-row').count()).toBe(predictions.length);
    expect(await page.locator('[data-testid="forecast-row"][data-scored="true"]').count()).toBe(scored.length);
    const newest = [...predictions].sort((a, b) => b.targetTime - a.targetTime || b.madeAt - a.madeAt)[0]!;
    const cells = await page.getByTestId('forecast-row').first().locator('td').allTextContents();
    expect(cells[2]).toBe(price(newest.predicted));
    expect(cells[3]).toBe(`${price(newest.lower!)} – ${price(newest.upper!)}`);
    expect(cells[5]).toBe(price(newest.naive!));
    expect(cells[4]).toBe(newest.actual === null ? '–' : price(newest.actual));
    expect(cells[6]).toBe(
      newest.actual === null ? 'not scored yet' : `${price(Math.abs(newest.predicted - newest.actual))} / ${price(Math.abs(newest.naive! - newest.actual))}`,
    );
  });

  it('predicts now from the latest bar, and draws that forecast beyond the last candle', async () => {
    await page.getByTestId('predict-now').click();
    await page.getByTestId('predict-result').waitFor();
    const { bars } = await server.call('bars.query', { symbol: SYMBOL, timeframe: '1d', limit: 1 });
    const last = bars[0]!.time;
    expect(await page.getByTestId('predict-result').textContent()).toBe(`1 forecast made from the bar of ${new Date(last).toISOString().slice(0, 10)}.`);
    const { predictions } = await server.call('predictions.query', { modelId });
    const targets = new Set(predictions.map((p) => p.targetTime));
    await expect.poll(() => page.getByTestId('price-chart').getAttribute('data-forecast-points')).toBe(String(targets.size));
    const newest = predictions.reduce((a, b) => (b.targetTime > a.targetTime ? b : a));
    expect(newest.madeAt).toBe(last);
    expect(newest.targetTime).toBeGreaterThan(last);
    expect(newest.targetTime - last).toBeLessThanOrEqual(4 * DAY);
    const firstRow = await page.getByTestId('forecast-row').first().locator('td').allTextContents();
    expect(firstRow[2]).toBe(price(newest.predicted));
    expect(firstRow[4]).toBe('–');
    await page.mouse.move(0, 0);
    await page.screenshot({ path: path.join(docsDir, 'predictions.png') });
  });

  it('overlays the active model’s forecast on the Markets chart of the same series', async () => {
    await page.getByTestId('nav-markets').click();
    await page.getByTestId(`instrument-${SYMBOL}`).click();
    await page.getByTestId('tf-1d').click();
    const toggle = page.getByTestId('forecast-toggle');
    await expect.poll(() => toggle.isEnabled()).toBe(true);
    expect(await page.getByTestId('price-chart').getAttribute('data-forecast-points')).toBe('0');
    await toggle.click();
    const { predictions } = await server.call('predictions.query', { modelId });
    await expect.poll(() => page.getByTestId('price-chart').getAttribute('data-forecast-points')).toBe(String(new Set(predictions.map((p) => p.targetTime)).size));
    expect(await toggle.getAttribute('aria-pressed')).toBe('true');
    // Another series has no active model: nothing to overlay, and the toggle says so.
    await page.getByTestId('instrument-DEMO.BTCUSD').click();
    await expect.poll(() => toggle.isDisabled()).toBe(true);
    expect(await page.getByTestId('price-chart').getAttribute('data-forecast-points')).toBe('0');
  });
});
