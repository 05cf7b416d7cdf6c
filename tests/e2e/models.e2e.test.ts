/**
 * The Models screen in real Chromium against the real `metalytics serve` on the demo prices:
 * an LSTM trained from the form with its loss curves drawn live, a ridge beside it, the
 * registry's honest verdicts checked against the stored DM p-values, a version's detail,
 * activation and roll back, the compare view, export, delete and import of a model file.
 * Requires a built renderer (`npm run build`; npm test does it). Writes docs/training.png and
 * docs/models.png.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SKILL_PVALUE, skillSentence, skillVerdict } from '../../src/shared/model-verdicts';
import type { ModelSummary } from '../../src/shared/models';
import { closeApp, docsDir, openAppPage, requireBuiltRenderer } from '../support/app-page';
import { launchChromium } from '../support/chromium';
import { startServeProcess, type ServeProcess } from '../support/serve-process';

const SYMBOL = 'DEMO.XAUUSD';
const TRAINING_TIMEOUT = 180_000;

let browser: Browser;
let server: ServeProcess;
let page: Page;

const listed = async (): Promise<ModelSummary[]> => (await server.call('models.list', {})).models;
const modelOfType = async (type: ModelSummary['modelType']): Promise<ModelSummary[]> =>
  (await listed()).filter((model) => model.modelType === type).sort((a, b) => a.version - b.version);
const rowCount = () => page.locator('[data-testid^="model-row-"]').count();

/** Fills the training form and starts the run; the form's defaults (1d, horizon 1, seed 42, level 0.9) stay. */
async function trainFromForm(modelType: 'lstm' | 'ridge', epochs?: number): Promise<void> {
  await page.getByTestId('train-symbol').selectOption(SYMBOL);
  await page.getByTestId('train-timeframe').selectOption('1d');
  await page.getByTestId('train-model-type').selectOption(modelType);
  if (epochs !== undefined) {
    await page.getByTestId('train-epochs').fill(String(epochs));
    await page.getByTestId('train-lookback').fill('10');
  }
  await page.getByTestId('train-start').click();
}

beforeAll(async () => {
  requireBuiltRenderer();
  server = await startServeProcess();
  await server.call('demo.load', {});
  browser = await launchChromium();
  page = await openAppPage(browser, server);
}, 120_000);

afterAll(() => closeApp({ page, browser, server }));

describe('Models screen in the browser against metalytics serve', () => {
  it('starts empty and says how to get a first model', async () => {
    await page.getByTestId('nav-models').click();
    await page.getByTestId('screen-models').waitFor();
    await page.getByTestId('models-empty').waitFor();
    expect(await page.getByTestId('models-empty').textContent()).toContain('No models yet.');
    expect(await page.getByText('not available yet').count()).toBe(0);
  });

  it('refuses a bad field beside it, as the contract would, before anything is trained', async () => {
    await page.getByTestId('models-train').click();
    await page.getByTestId('train-model-type').selectOption('lstm');
    await page.getByTestId('train-horizon').fill('0');
    await page.getByTestId('train-start').click();
    await expect.poll(() => page.getByText('Horizon must be at least 1.').count()).toBe(1);
    expect(await page.getByTestId('training-status').count()).toBe(0);
    await page.getByTestId('train-horizon').fill('1');
  });

  it(
    'trains an LSTM from the form, drawing its loss curves epoch by epoch, and ends with its verdict',
    async () => {
      await trainFromForm('lstm', 4);
      // The curve grows while the run goes: at least one epoch is drawn before the result.
      await expect.poll(() => page.getByTestId('training-loss-chart').getAttribute('data-points'), { timeout: TRAINING_TIMEOUT }).not.toBe('0');
      await page.getByTestId('training-result').waitFor({ timeout: TRAINING_TIMEOUT });
      expect(await page.getByTestId('training-status').textContent()).toBe('Finished');
      expect(await page.getByTestId('training-progress').getAttribute('aria-valuenow')).toBe('100');

      const [lstm] = await modelOfType('lstm');
      expect(lstm).toBeDefined();
      const detail = await server.call('models.get', { modelId: lstm!.modelId });
      expect(detail.lossHistory.length).toBeGreaterThan(0);
      expect(detail.lossHistory.length).toBeLessThanOrEqual(4);
      // Both curves, every epoch the run reported.
      const drawn = detail.lossHistory.length + detail.lossHistory.filter((point) => point.valLoss !== null).length;
      expect(await page.getByTestId('training-loss-chart').getAttribute('data-points')).toBe(String(drawn));
      const verdict = await page.getByTestId('training-verdict').textContent();
      expect(verdict).toBe(skillSentence(skillVerdict('lstm', detail.metrics)));
      if (verdict?.startsWith('better')) expect(detail.metrics.dm_pvalue).toBeLessThan(SKILL_PVALUE);
      await page.mouse.move(0, 0);
      await page.getByTestId('training-panel').screenshot({ path: path.join(docsDir, 'training.png') });
    },
    TRAINING_TIMEOUT,
  );

  it(
    'trains a ridge beside it, which has no loss curve, and lists both with their scores against naive',
    async () => {
      await trainFromForm('ridge');
      await page.getByTestId('training-result').waitFor({ timeout: TRAINING_TIMEOUT });
      await expect.poll(rowCount).toBe(2);
      for (const model of await listed()) {
        const row = page.getByTestId(`model-row-${model.modelId}`);
        expect(await row.getAttribute('data-model-type')).toBe(model.modelType);
        expect(await page.getByTestId(`model-verdict-${model.modelId}`).textContent()).toBe(skillSentence(skillVerdict(model.modelType, model.metrics)));
        expect(await row.textContent()).toContain(model.backend);
      }
      await page.getByLabel('Close the training panel').click();
    },
    TRAINING_TIMEOUT,
  );

  it('filters the registry by type and stage', async () => {
    await page.getByTestId('models-filter-modelType').selectOption('lstm');
    await expect.poll(rowCount).toBe(1);
    await page.getByTestId('models-filter-modelType').selectOption('');
    await page.getByTestId('models-filter-stage').selectOption('archived');
    await page.getByTestId('models-empty').waitFor();
    expect(await page.getByTestId('models-empty').textContent()).toBe('No version matches these filters.');
    await page.getByTestId('models-filter-stage').selectOption('');
    await expect.poll(rowCount).toBe(2);
  });

  it('opens a version: its scores beside the baselines, its lineage and its loss curve', async () => {
    const [lstm] = await modelOfType('lstm');
    const detail = await server.call('models.get', { modelId: lstm!.modelId });
    await page.getByTestId(`model-open-${lstm!.modelId}`).click();
    await page.locator(`[data-testid="model-detail"][data-model-id="${lstm!.modelId}"]`).waitFor();
    // Naive's rel. MAE is exactly 1 on the same targets.
    expect(await page.locator('[data-testid="model-metrics-naive"] [data-metric="rel_mae"]').textContent()).toBe('1.000');
    for (const baseline of ['seasonal_naive', 'drift']) expect(await page.getByTestId(`model-metrics-${baseline}`).count()).toBe(1);
    const lineage = await page.getByTestId('model-lineage').textContent();
    expect(lineage).toContain(detail.artifactSha256);
    expect(lineage).toContain(detail.backend);
    if (detail.lineage.trainingRunId) expect(lineage).toContain(detail.lineage.trainingRunId);
    expect(await page.getByTestId('model-loss-chart').getAttribute('data-points')).not.toBe('0');
    expect(detail.testForecasts.length).toBeGreaterThan(0);
    expect(await page.getByTestId('model-test-forecasts').getAttribute('data-points')).toBe(String(detail.testForecasts.length));
    expect(await page.locator('[data-testid="model-test-forecasts"] [data-testid="price-chart"]').getAttribute('data-forecast-points')).toBe(
      String(detail.testForecasts.length),
    );
    expect(await page.getByTestId('model-detail-verdict').textContent()).toBe(skillSentence(skillVerdict('lstm', detail.metrics)));
  });

  it('activates a ridge, and rolls back to it from a newer version', async () => {
    // A second ridge version, trained the way a script would.
    await server.call('models.train', { symbol: SYMBOL, timeframe: '1d', modelType: 'ridge', seed: 7, wait: true });
    await expect.poll(rowCount).toBe(3);
    const [first, second] = await modelOfType('ridge');
    await page.getByTestId(`model-open-${first!.modelId}`).click();
    await page.getByTestId('model-activate').click();
    await expect.poll(() => page.getByTestId(`model-row-${first!.modelId}`).getAttribute('data-stage')).toBe('active');

    await page.getByTestId(`model-open-${second!.modelId}`).click();
    await page.getByTestId('model-activate').click();
    await expect.poll(() => page.getByTestId(`model-row-${second!.modelId}`).getAttribute('data-stage')).toBe('active');
    expect(await page.getByTestId(`model-row-${first!.modelId}`).getAttribute('data-stage')).not.toBe('active');

    await page.getByTestId('model-rollback-version').selectOption(first!.modelId);
    await page.getByTestId('model-rollback').click();
    await expect.poll(() => page.getByTestId(`model-row-${first!.modelId}`).getAttribute('data-stage')).toBe('active');
    const after = await listed();
    expect(after.filter((model) => model.isActive).map((model) => model.modelId)).toEqual([first!.modelId]);
    const history = (await server.call('models.get', { modelId: first!.modelId })).stageHistory;
    expect(history.filter((change) => change.to === 'active')).toHaveLength(2);

    // The active version is not offered for deletion until it is replaced or archived.
    await page.getByTestId(`model-open-${first!.modelId}`).click();
    await page.locator(`[data-testid="model-detail"][data-model-id="${first!.modelId}"]`).waitFor();
    await page.getByTestId('model-delete').click();
    expect(await page.getByTestId('delete-model-active').isVisible()).toBe(true);
    expect(await page.getByTestId('delete-model-confirm').isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Keep it' }).click();
    await page.getByTestId('delete-model-dialog').waitFor({ state: 'detached' });
  });

  it('compares versions side by side, with one metric across them as a chart', async () => {
    const models = (await listed()).sort((a, b) => a.trainingDate - b.trainingDate);
    for (const model of models) await page.getByTestId(`model-compare-${model.modelId}`).check();
    await page.getByTestId('models-compare').click();
    await page.getByTestId('model-compare').waitFor();
    await expect.poll(() => page.locator('[data-testid="compare-metrics"] tbody tr').count()).toBe(models.length);
    const withRelMae = models.filter((model) => model.metrics.rel_mae !== null).length;
    // The metric's points, and naive's line at 1 from the first to the last version.
    await expect.poll(() => page.getByTestId('compare-metric-chart').getAttribute('data-points')).toBe(String(withRelMae + 2));
    await page.getByTestId('compare-metric').selectOption('interval_coverage');
    const withCoverage = models.filter((model) => model.metrics.interval_coverage !== null).length;
    await expect.poll(() => page.getByTestId('compare-metric-chart').getAttribute('data-points')).toBe(String(withCoverage));
    await page.getByTestId('compare-metric').selectOption('rel_mae');
    await page.mouse.move(0, 0);
    // The screen scrolls inside the window, so a taller window shows the registry and the comparison together.
    await page.setViewportSize({ width: 1440, height: 1300 });
    await page.screenshot({ path: path.join(docsDir, 'models.png') });
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.getByLabel('Close the comparison').click();
  });

  it('exports a version as one file, deletes it after confirmation, and imports it back', async () => {
    const [, second] = await modelOfType('ridge');
    await page.getByTestId(`model-open-${second!.modelId}`).click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('model-export').click()]);
    const file = (await download.path())!;
    expect(fs.statSync(file).size).toBeGreaterThan(0);

    await page.getByTestId('model-delete').click();
    await page.getByTestId('delete-model-dialog').waitFor();
    await page.getByTestId('delete-model-confirm').click();
    await page.getByTestId(`model-row-${second!.modelId}`).waitFor({ state: 'detached' });
    expect((await listed()).some((model) => model.modelId === second!.modelId)).toBe(false);

    await page.getByTestId('models-import-file').setInputFiles({ name: download.suggestedFilename(), mimeType: 'application/json', buffer: fs.readFileSync(file) });
    await expect.poll(rowCount).toBe(3);
    const imported = (await modelOfType('ridge')).find((model) => model.version === second!.version || model.modelId === second!.modelId);
    expect(imported?.metrics).toEqual(second!.metrics);
    expect(await page.getByTestId('models-import-error').count()).toBe(0);
  });

  it('runs a version in shadow, and promotes it only when the live DM test says it wins', async () => {
    const [lstm] = await modelOfType('lstm');
    await page.getByTestId(`model-open-${lstm!.modelId}`).click();
    await page.getByTestId('model-shadow').click();
    await expect.poll(() => page.getByTestId(`model-row-${lstm!.modelId}`).getAttribute('data-stage')).toBe('shadow');
    // Nothing was scored live yet, so the gate refuses and the core's reason is shown.
    await page.getByTestId('model-promote-gated').click();
    await page.getByTestId('model-action-error').waitFor();
    expect((await listed()).find((model) => model.modelId === lstm!.modelId)?.stage).toBe('shadow');
  });

  it('archives a version', async () => {
    const [lstm] = await modelOfType('lstm');
    await page.getByTestId(`model-open-${lstm!.modelId}`).click();
    await page.getByTestId('model-archive').click();
    await expect.poll(() => page.getByTestId(`model-row-${lstm!.modelId}`).getAttribute('data-stage')).toBe('archived');
  });
});
