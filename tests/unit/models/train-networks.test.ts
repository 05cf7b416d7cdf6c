import { beforeAll, describe, expect, it } from 'vitest';
import type { NeuralEngine } from '../../../src/core/models/engine/ports';
import { predictWithArtifact, trainModel } from '../../../src/core/models/pipeline/train';
import { selectBackend } from '../../../src/core/models/tfjs/backend';
import { createTfjsEngine } from '../../../src/core/models/tfjs/tfjs-engine';
import { changedAfter, cut, noHooks, spec, xauDaily } from './model-fixtures';

/** The pipeline with the real tfjs engine, on a short real series so that a fit takes a second. */
const bars = xauDaily(700);
const networkSpec = spec({ modelType: 'gru', epochs: 3, lookback: 8, hiddenUnits: 4, batchSize: 64 });
let engine: NeuralEngine;

beforeAll(async () => {
  engine = createTfjsEngine((await selectBackend()).backend);
});

describe('a network trained through the pipeline', () => {
  it('gives the same metrics and forecasts for the same seed on the same backend', async () => {
    const first = await trainModel(networkSpec, bars, engine, noHooks());
    const second = await trainModel(networkSpec, bars, engine, noHooks());
    expect(first.backend).toBe(engine.backend);
    expect(second.metrics).toEqual(first.metrics);
    expect(second.testForecasts).toEqual(first.testForecasts);
    expect(first.lossHistory.length).toBeGreaterThan(0);
  });

  it('forecasts from its artifact what it forecast in the test, with only the bars up to the origin', async () => {
    const outcome = await trainModel(networkSpec, bars, engine, noHooks());
    const last = outcome.testForecasts.length - 1;
    const origin = bars.time.indexOf(outcome.testForecasts[last]!.targetTime) - 1;
    const [forecast] = await predictWithArtifact(outcome.artifact, cut(changedAfter(bars, origin), origin + 1), engine);
    expect(forecast!.predicted).toBe(outcome.testForecasts[last]!.predicted);
    expect(forecast!.lower).toBe(outcome.testForecasts[last]!.lower);
    expect(forecast!.oodScore).not.toBeNull();
  });
});
