/**
 * The `train`, `models` and `predict` commands' output on a real core (the spawned CLI is in
 * cli.test.ts): the --json shapes the issue names, the readable summary's honesty rule, and the
 * exit codes of refusals.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliOutput } from '../../src/cli/format';
import { parseLastBarTime, runModelsActivate, runModelsList, runPredict, runTrain } from '../../src/cli/models-command';
import { exitCodes } from '../../src/cli/exit-codes';
import { baselineModelWorker } from '../support/baseline-model-worker';
import { createTestCore, type TestCore } from '../support/test-core';

function capture(): CliOutput & { stdout: string; stderr: string } {
  const output = {
    stdout: '',
    stderr: '',
    errIsTTY: false,
    out: (text: string) => void (output.stdout += text),
    err: (text: string) => void (output.stderr += text),
  };
  return output;
}

const metricKeys = ['mae', 'rmse', 'mape', 'directional_accuracy', 'rel_mae', 'mase', 'dm_pvalue', 'interval_coverage'];

describe('metalytics train, models and predict', () => {
  let test: TestCore;
  let modelId: string;

  beforeAll(async () => {
    test = await createTestCore({ startModelWorker: () => baselineModelWorker() });
    await test.importRealFile('xauusd-1d-mt4.csv', 'XAUUSD');
  }, 60_000);
  afterAll(() => test?.cleanup());

  it('prints exactly one result object with --json, epochs on stderr', async () => {
    const output = capture();
    const code = await runTrain(test.core, { symbol: 'xauusd', timeframe: '1d', model: 'drift', horizon: 2, epochs: 2, json: true }, output);
    expect(code).toBe(exitCodes.ok);
    const result = JSON.parse(output.stdout) as Record<string, unknown>;
    expect(Object.keys(result)).toEqual(['modelId', 'version', 'modelType', 'backend', 'metrics', 'training', 'evaluation']);
    expect(Object.keys(result.metrics as object)).toEqual(metricKeys);
    expect(Object.keys(result.training as object)).toEqual(['from', 'to', 'samples']);
    expect(Object.keys(result.evaluation as object)).toEqual(['from', 'to', 'samples', 'horizon', 'level']);
    expect(output.stderr).toContain('epoch 2/2');
    modelId = String(result.modelId);
  });

  it('says there is no evidence of skill over naive unless the DM p-value is below 0.05', async () => {
    const output = capture();
    expect(await runTrain(test.core, { symbol: 'XAUUSD', timeframe: '1d', model: 'drift', json: false }, output)).toBe(exitCodes.ok);
    expect(output.stdout).toMatch(/^Trained drift-1d v2 \(drift\) on XAUUSD 1d with js: no evidence of skill over naive\n/);
    expect(output.stdout).toMatch(/DM p-value\s+0\.5 \(vs naive, one-sided\)/);
  });

  it('lists models as the JSON array the issue names, and activates one', async () => {
    const listed = capture();
    expect(await runModelsList(test.core, { json: true }, listed)).toBe(exitCodes.ok);
    const models = JSON.parse(listed.stdout) as Record<string, unknown>[];
    expect(models).toHaveLength(2);
    expect(Object.keys(models[0]!)).toEqual(['modelId', 'modelName', 'modelType', 'version', 'symbol', 'timeframe', 'stage', 'isActive', 'metrics', 'artifactPath']);

    const activated = capture();
    expect(await runModelsActivate(test.core, modelId, {}, activated)).toBe(exitCodes.ok);
    expect(activated.stdout).toBe('drift-1d v1 (drift) is now the active model of XAUUSD.\n');
    const table = capture();
    await runModelsList(test.core, {}, table);
    expect(table.stdout).toMatch(new RegExp(`${modelId}\\s+drift-1d\\s+v1\\s+drift\\s+XAUUSD 1d\\s+active`));

    const unknown = capture();
    expect(await runModelsActivate(test.core, 'no-such-model', {}, unknown)).toBe(exitCodes.notFound);
    expect(unknown.stderr).toBe('There is no model no-such-model.\n');
  });

  it('predicts as of a time with --json', async () => {
    const output = capture();
    const asof = Date.UTC(2024, 0, 2);
    expect(await runPredict(test.core, { model: modelId, asof, json: true }, output)).toBe(exitCodes.ok);
    const reply = JSON.parse(output.stdout) as { modelId: string; asOf: number; predictions: Record<string, unknown>[] };
    expect(reply).toMatchObject({ modelId, asOf: asof });
    expect(reply.predictions.map((p) => Object.keys(p))).toEqual([['targetTime', 'predicted', 'lower', 'upper']]);
    expect(reply.predictions[0]!.targetTime).toBeGreaterThan(asof);
  });

  it('refuses too few bars with exit code 2 and the number needed', async () => {
    const output = capture();
    const from = Date.UTC(2024, 0, 1);
    const code = await runTrain(test.core, { symbol: 'XAUUSD', timeframe: '1d', model: 'naive', from, to: parseLastBarTime('2024-01-31') }, output);
    expect(code).toBe(exitCodes.usage);
    expect(output.stderr).toMatch(/needs at least \d+ bars/);
  });

  it('reads a bare --to date as that whole day', () => {
    expect(parseLastBarTime('2024-01-31')).toBe(Date.UTC(2024, 1, 1) - 1);
    expect(parseLastBarTime('2024-01-31T12:00:00Z')).toBe(Date.UTC(2024, 0, 31, 12));
  });
});
