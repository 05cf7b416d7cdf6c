import { describe, expect, it } from 'vitest';
import {
  histogramOf,
  OOD_SCORE_THRESHOLD,
  oodReference,
  oodScore,
  pageHinkley,
  populationStabilityIndex,
  PSI_SIGNIFICANT,
} from '../../../src/core/models/pipeline/drift';
import { applyScaler, fitScaler } from '../../../src/core/models/pipeline/dataset';
import { computeFeatures } from '../../../src/core/models/pipeline/features';
import { xauDaily } from './model-fixtures';

describe('population-stability index', () => {
  const training = Array.from({ length: 1_000 }, (_, i) => i / 1_000);

  it('is 0 for the training distribution itself and equals Σ (a − e)·ln(a/e) for a shifted one', () => {
    const reference = histogramOf('x', training);
    expect(reference.proportions.every((p) => Math.abs(p - 0.1) < 1e-12)).toBe(true);
    expect(populationStabilityIndex(reference, training)).toBeCloseTo(0, 12);
    // Live values all in the top half: bins 6–10 get 0.2 each, bins 1–5 none (floored at 1e-4).
    const live = training.filter((v) => v >= 0.5);
    const expected = 5 * (0.2 - 0.1) * Math.log(0.2 / 0.1) + 5 * (1e-4 - 0.1) * Math.log(1e-4 / 0.1);
    expect(populationStabilityIndex(reference, live)).toBeCloseTo(expected, 10);
    expect(populationStabilityIndex(reference, live)).toBeGreaterThan(PSI_SIGNIFICANT);
  });

  it('stays below the significance threshold for a small shift', () => {
    const reference = histogramOf('x', training);
    expect(populationStabilityIndex(reference, training.map((v) => v + 0.01))).toBeLessThan(PSI_SIGNIFICANT);
  });
});

describe('Page–Hinkley', () => {
  it('stays quiet on a stationary stream and alarms soon after its mean rises', () => {
    const noise = (i: number) => 0.2 * Math.sin(i * 1.7) * Math.cos(i * 0.3);
    const quiet = Array.from({ length: 400 }, (_, i) => noise(i));
    expect(pageHinkley(quiet, 0.05, 5).alarmAt).toBeNull();
    const shifted = [...quiet, ...Array.from({ length: 200 }, (_, i) => 0.5 + noise(i + 400))];
    const { alarmAt } = pageHinkley(shifted, 0.05, 5);
    expect(alarmAt).toBeGreaterThanOrEqual(400);
    expect(alarmAt).toBeLessThan(430);
  });
});

describe('out-of-distribution score', () => {
  const bars = xauDaily();
  const features = computeFeatures(bars, '1d');
  const trainingBars = Int32Array.from({ length: 800 }, (_, i) => features.firstComplete + i);
  const scaled = applyScaler(features, fitScaler(features, trainingBars));
  const reference = oodReference(scaled, features.width, trainingBars);

  it('is the nearest-row distance over the typical nearest-neighbour distance', () => {
    expect(reference.rows.length).toBe(500 * features.width);
    const row = Array.from(scaled.subarray(trainingBars[0]! * features.width, (trainingBars[0]! + 1) * features.width));
    expect(oodScore(reference, row)).toBe(0);
    const far = row.map((v) => v + 10);
    let nearest = Infinity;
    for (let r = 0; r < 500; r++) {
      nearest = Math.min(nearest, Math.hypot(...far.map((v, c) => v - reference.rows[r * features.width + c]!)));
    }
    expect(oodScore(reference, far)).toBeCloseTo(nearest / reference.typicalDistance, 10);
    expect(oodScore(reference, far)).toBeGreaterThan(OOD_SCORE_THRESHOLD);
  });

  it('scores rows from the same period as in distribution', () => {
    const inside = trainingBars[401]!;
    expect(oodScore(reference, scaled.subarray(inside * features.width, (inside + 1) * features.width))).toBeLessThan(OOD_SCORE_THRESHOLD);
  });
});
