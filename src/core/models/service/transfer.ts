/**
 * A model as ONE file: its registry row with lineage, its training run, its stage history and
 * its artifact (base64 with its sha256), as JSON. Importing checks the sha256 before anything
 * is stored and registers the model as a new candidate version.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { MethodOutput, ParsedInput } from '../../../shared/contract';
import { AppError } from '../../../shared/errors';
import { modelMetricsSchema, modelStageSchema, modelTypeSchema, stageChangeSchema, type ModelSummary } from '../../../shared/models';
import { timeframeSchema } from '../../../shared/timeframe-schema';
import type { CoreContext } from '../../context';
import type { RegisteredModel, TrainingRun } from '../../storage/types';
import { sha256Hex, writeFileAtomic, type ArtifactStore } from './artifact-store';
import { getModel, toSummary } from './registry';

const FORMAT = 'metalytics-model';
const FORMAT_VERSION = 1;

const segment = z.object({ from: z.number(), to: z.number(), samples: z.number().int() });

/** What an export holds; read back strictly so a file from elsewhere cannot smuggle in fields. */
const exportFileSchema = z.object({
  format: z.literal(FORMAT),
  formatVersion: z.literal(FORMAT_VERSION),
  exportedAt: z.number(),
  model: z.object({
    modelId: z.string(),
    modelName: z.string().trim().min(1).max(100),
    modelType: modelTypeSchema,
    version: z.number().int().min(1),
    symbol: z.string().min(1).max(40),
    timeframe: timeframeSchema,
    trainingDate: z.number(),
    metrics: modelMetricsSchema,
    hyperparameters: z.record(z.string(), z.unknown()),
    featureColumns: z.array(z.string()),
    featureSetVersion: z.string(),
    dataFrom: z.number(),
    dataTo: z.number(),
    artifactSha256: z.string().regex(/^[0-9a-f]{64}$/),
    backend: z.string(),
    stage: modelStageSchema,
    trainingRunId: z.string().nullable(),
    dataFingerprint: z.string().nullable(),
    appVersion: z.string().nullable(),
    horizon: z.number().int().min(1),
    intervalLevel: z.number().nullable(),
    trainingSegment: segment.nullable(),
    evaluationSegment: segment.extend({ horizon: z.number().int(), level: z.number() }).nullable(),
    baselines: z.partialRecord(modelTypeSchema, modelMetricsSchema),
    testForecasts: z.array(z.object({ targetTime: z.number(), actual: z.number(), predicted: z.number(), naive: z.number(), lower: z.number(), upper: z.number() })),
    flagged: z.string().nullable(),
  }),
  trainingRun: z
    .object({
      id: z.string(),
      modelName: z.string(),
      modelType: modelTypeSchema,
      symbols: z.array(z.string()),
      timeframe: timeframeSchema,
      target: z.string(),
      horizon: z.number().int(),
      dataFrom: z.number(),
      dataTo: z.number(),
      hyperparameters: z.record(z.string(), z.unknown()),
      featureSetVersion: z.string(),
      backend: z.string(),
      status: z.enum(['running', 'succeeded', 'failed', 'cancelled']),
      startedAt: z.number(),
      finishedAt: z.number().nullable(),
      epochs: z.number().int(),
      lossHistory: z.array(z.object({ epoch: z.number().int(), loss: z.number(), valLoss: z.number().nullable() })),
      metrics: modelMetricsSchema.nullable(),
      error: z.string().nullable(),
      jobRunId: z.string().nullable(),
      samples: z.number().int().nullable(),
    })
    .nullable(),
  /** As it was in the exporting workspace; kept in the file for the record, not replayed here. */
  stageHistory: z.array(stageChangeSchema),
  artifact: z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), base64: z.string() }),
});
type ExportFile = z.infer<typeof exportFileSchema>;

export async function exportModel(ctx: CoreContext, artifacts: ArtifactStore, input: ParsedInput<'models.export'>): Promise<MethodOutput<'models.export'>> {
  const model = await getModel(ctx, input.modelId);
  const artifact = await artifacts.read(model);
  const { artifactPath: _local, isActive: _here, ...portable } = model;
  const file: ExportFile = {
    format: FORMAT,
    formatVersion: FORMAT_VERSION,
    exportedAt: ctx.now(),
    model: portable,
    trainingRun: (model.trainingRunId && (await ctx.storage.trainingRuns.get(model.trainingRunId))) || null,
    stageHistory: await ctx.storage.modelStageHistory.list(model.modelId),
    artifact: { sha256: model.artifactSha256, base64: Buffer.from(artifact).toString('base64') },
  };
  const content = JSON.stringify(file);
  const bytes = Buffer.byteLength(content);
  if (input.path === undefined) return { modelId: model.modelId, path: null, bytes, content };
  const target = path.resolve(input.path);
  await writeFileAtomic(target, content);
  return { modelId: model.modelId, path: target, bytes, content: null };
}

function parseExport(text: string, origin: string): ExportFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new AppError('VALIDATION', `${origin} is not a Metalytics model export: it is not JSON.`);
  }
  const parsed = exportFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError('VALIDATION', `${origin} is not a Metalytics model export: ${issue ? `${issue.path.join('.') || 'the file'}: ${issue.message}` : 'unreadable'}.`);
  }
  return parsed.data;
}

export async function importModel(ctx: CoreContext, artifacts: ArtifactStore, input: ParsedInput<'models.import'>): Promise<ModelSummary> {
  let text: string;
  let origin: string;
  if (input.path !== undefined) {
    origin = path.resolve(input.path);
    text = await readFile(origin, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') throw new AppError('NOT_FOUND', `There is no file ${origin}.`);
      throw error;
    });
  } else {
    origin = 'The content';
    text = input.content!;
  }
  const file = parseExport(text, origin);
  const artifact = Buffer.from(file.artifact.base64, 'base64');
  const actual = sha256Hex(artifact);
  if (actual !== file.artifact.sha256 || actual !== file.model.artifactSha256) {
    throw new AppError(
      'CORRUPT',
      `${origin} holds a model artifact that is not the one exported: its sha256 is ${actual}, the file says ${file.artifact.sha256}. Nothing was imported.`,
      { expected: file.artifact.sha256, actual },
    );
  }
  if (!(await ctx.storage.instruments.get(file.model.symbol))) {
    throw new AppError('VALIDATION', `The model forecasts ${file.model.symbol}, which is not an instrument here; add it first.`, { symbol: file.model.symbol });
  }

  const modelId = randomUUID();
  const { artifactPath } = await artifacts.write(modelId, artifact);
  const at = ctx.now();
  try {
    const model = await ctx.storage.transaction(async (tx) => {
      const run: TrainingRun | null = file.trainingRun;
      if (run) await tx.trainingRuns.insertIfAbsent(run);
      const taken = (await tx.modelRegistry.list({ modelName: file.model.modelName, symbol: file.model.symbol })).some((m) => m.version === file.model.version);
      const version = taken ? await tx.modelRegistry.nextVersion(file.model.modelName, file.model.symbol) : file.model.version;
      const imported: RegisteredModel = { ...file.model, modelId, version, artifactPath, stage: 'candidate', isActive: false, trainingRunId: run?.id ?? null };
      await tx.modelRegistry.insert(imported);
      const reason = `imported: ${file.model.modelId} v${file.model.version}, ${file.model.stage} in the workspace it was exported from`;
      await tx.modelStageHistory.record(modelId, { at, from: null, to: 'candidate', reason });
      await tx.auditLog.record({ at, actor: 'user', action: 'models.import', details: { modelId, from: file.model.modelId, version } });
      return imported;
    });
    ctx.events.emit('models.changed', { modelId, change: 'imported' });
    return toSummary(model, artifacts);
  } catch (error) {
    await artifacts.remove(modelId);
    throw error;
  }
}
