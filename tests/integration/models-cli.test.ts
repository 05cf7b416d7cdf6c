/**
 * The `train`, `models` and `predict` commands' output on a real core (the spawned CLI is in
 * cli.test.ts): the --json shapes the issue names, the readable summary's honesty rule, and the
 * exit codes of refusals.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliOutput } from '../../src/cli/format';
import { parseLastBarTime } from '../../src/cli/options';
import { runModelsActivate, runModelsList, runPredict, runTrain } from '../../src/cli/models-command';
import { exitCodes } from '../../src/cli/exit-codes';
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
    test = await createTestCore();
    await test.importRealFile('xauusd-1d-mt4.csv', 'XAUUSD');
  }, 60_000);
  afterAll(() => test?.cleanup());

  it('prints exactly one result object with --json, epochs on stderr', async () => {
    const output = capture();
    const from = Date.UTC(2024, 0, 1);
    const code = await runTrain(test.core, { symbol: 'xauusd', timeframe: '1d', model: 'mlp', horizon: 2, epochs: 2, from, json: true }, output);
    expect(code).toBe(exitCodes.ok);
    const result = JSON.parse(output.stdout) as Record<string, unknown>;
    expect(Object.keys(result)).toEqual(['modelId', 'version', 'modelType', 'backend', 'metrics', 'training', 'evaluation']);
    expect(Object.keys(result.metrics as object)).toEqual(metricKeys);
    expect(Object.keys(result.training as object)).toEqual(['from', 'to', 'samples']);
    expect(Object.keys(result.evaluation as object)).toEqual(['from', 'to', 'samples', 'horizon', 'level']);
    expect(output.stderr).toMatch(/epoch 1\/2 {2}loss \S+ {2}val_loss \S+\nepoch 2\/2/);
    modelId = String(result.modelId);
  });

  it('calls a model better than naive only when the DM p-value is below 0.05, else says there is no evidence of skill', async () => {
    const verdicts: string[] = [];
    for (const model of ['drift', 'seasonal_naive', 'ridge'] as const) {
      const json = capture();
      await runTrain(test.core, { symbol: 'XAUUSD', timeframe: '1d', model, name: `${model}-verdict`, json: true }, json);
      const pvalue = (JSON.parse(json.stdout) as { metrics: { dm_pvalue: number } }).metrics.dm_pvalue;
      const text = capture();
      expect(await runTrain(test.core, { symbol: 'XAUUSD', timeframe: '1d', model, name: `${model}-verdict` }, text)).toBe(exitCodes.ok);
      const headline = text.stdout.split('\n')[0]!;
      expect(headline).toMatch(new RegExp(`^Trained ${model}-verdict v2 \\(${model}\\) on XAUUSD 1d with js: `));
      if (pvalue < 0.05) expect(headline).toContain('better than naive (Diebold–Mariano p < 0.05)');
      else expect(headline).toMatch(/: (no evidence of skill over naive|worse than naive)$/);
      verdicts.push(headline.slice(headline.indexOf(': ') + 2));
    }
    expect(verdicts).toContain('no evidence of skill over naive');
  });

  it('lists models as the JSON array the issue names, and activates one', async () => {
    const listed = capture();
    expect(await runModelsList(test.core, { json: true }, listed)).toBe(exitCodes.ok);
    const models = JSON.parse(listed.stdout) as Record<string, unknown>[];
    expect(models.map((m) => m.modelId)).toContain(modelId);
    expect(Object.keys(models[0]!)).toEqual(['modelId', 'modelName', 'modelType', 'version', 'symbol', 'timeframe', 'stage', 'isActive', 'metrics', 'artifactPath']);

    const activated = capture();
    expect(await runModelsActivate(test.core, modelId, {}, activated)).toBe(exitCodes.ok);
    expect(activated.stdout).toBe('mlp-1d v1 (mlp) is now the active model of XAUUSD.\n');
    const table = capture();
    await runModelsList(test.core, {}, table);
    expect(table.stdout).toMatch(new RegExp(`${modelId}\\s+mlp-1d\\s+v1\\s+mlp\\s+XAUUSD 1d\\s+active`));

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
