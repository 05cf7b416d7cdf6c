/**
 * The model artifact: one gzip-compressed, self-describing JSON document holding everything a
 * forecast needs (spec, feature set, scaler, fitted parameters, conformal half-width) and the
 * training reference data for drift (feature histograms for PSI, scaled training rows for the
 * OOD score). Numbers round-trip exactly through JSON, so a reloaded model predicts bit for bit
 * what the trained one did. The registry stores its sha256; this module only reads and writes it.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import { modelTypeSchema, type ModelType, type NeuralModelType, type TrainingBackend } from '../../../shared/models';
import type { NeuralWeights, TrainSpec } from '../engine/ports';
import type { BaselineParams } from './baselines';
import type { Scaler } from './dataset';
import type { FeatureHistogram, OodReference } from './drift';
import type { RidgeParams } from './ridge';
import { AppError } from '../../../shared/errors';

export const ARTIFACT_FORMAT = 'metalytics-model';
/** Raise on any change a reader of the previous version would misread; readers refuse newer versions. */
export const ARTIFACT_FORMAT_VERSION = 1;

export type FittedParams =
  | BaselineParams
  | { modelType: 'ridge'; ridge: RidgeParams }
  | {
      modelType: NeuralModelType;
      weights: NeuralWeights;
      lookback: number;
      /** The network learns log returns divided by this (their training standard deviation). */
      targetScale: number;
    };

export interface ModelArtifact {
  format: typeof ARTIFACT_FORMAT;
  formatVersion: number;
  modelType: ModelType;
  backend: TrainingBackend;
  spec: TrainSpec;
  featureSet: { version: string; columns: string[] };
  /** Null for the baselines, which use no features. */
  scaler: Scaler | null;
  params: FittedParams;
  /** Split-conformal half-width on the log-return scale, from held-out residuals. */
  conformal: { level: number; halfWidth: number; residuals: number };
  /** Training reference for drift; null for the baselines. */
  reference: { histograms: FeatureHistogram[]; ood: OodReference } | null;
}

/** Enough of the shape to refuse a file that is not an artifact before anything trusts it. */
const envelopeSchema = z.object({ format: z.string(), formatVersion: z.number().int() }).passthrough();
const artifactSchema = z
  .object({
    format: z.literal(ARTIFACT_FORMAT),
    formatVersion: z.literal(ARTIFACT_FORMAT_VERSION),
    modelType: modelTypeSchema,
    backend: z.string(),
    spec: z.object({ modelType: modelTypeSchema, horizon: z.number().int().min(1), timeframe: z.string() }).passthrough(),
    featureSet: z.object({ version: z.string(), columns: z.array(z.string()) }),
    scaler: z.object({ mean: z.array(z.number()), std: z.array(z.number()) }).nullable(),
    params: z.object({ modelType: modelTypeSchema }).passthrough(),
    conformal: z.object({ level: z.number(), halfWidth: z.number(), residuals: z.number().int() }),
    reference: z.object({ histograms: z.array(z.unknown()), ood: z.object({ width: z.number(), rows: z.array(z.number()), typicalDistance: z.number() }) }).nullable(),
  })
  .passthrough();

export function encodeArtifact(artifact: ModelArtifact): Uint8Array {
  return new Uint8Array(gzipSync(Buffer.from(JSON.stringify(artifact), 'utf8')));
}

export function decodeArtifact(bytes: Uint8Array): ModelArtifact {
  let document: unknown;
  try {
    document = JSON.parse(gunzipSync(bytes).toString('utf8'));
  } catch (error) {
    throw new AppError('CORRUPT', `Not a Metalytics model artifact: ${(error as Error).message}`);
  }
  const envelope = envelopeSchema.safeParse(document);
  if (!envelope.success || envelope.data.format !== ARTIFACT_FORMAT) throw new AppError('CORRUPT', 'Not a Metalytics model artifact');
  if (envelope.data.formatVersion > ARTIFACT_FORMAT_VERSION) {
    throw new AppError(
      'VALIDATION',
      `This model artifact has format version ${envelope.data.formatVersion}, made by a newer Metalytics; this version reads up to ${ARTIFACT_FORMAT_VERSION}. Update Metalytics to use it.`,
    );
  }
  const parsed = artifactSchema.safeParse(document);
  if (!parsed.success) throw new AppError('CORRUPT', `Damaged model artifact: ${parsed.error.issues[0]?.path.join('.') ?? ''} ${parsed.error.issues[0]?.message ?? ''}`);
  return parsed.data as unknown as ModelArtifact;
}
