/**
 * Everything the CLI's commands run, loaded in one step once commander has parsed the command
 * line (see loadCommands in index.ts): `--help`, `--version` and usage errors never load the
 * core, its database drivers or zod.
 */
export { shouldValidateOutput } from '../core/invoke';
export { createStderrLogger, environmentSecrets } from '../server/headless-ports';
export { resolveHeadlessConfig, resolveImportDir, resolveLogSettings, resolveMetricsToken, resolvePort, resolveToken } from './config';
export { openHeadlessCore } from './headless-core';
export { processOutput } from './format';
export { runBackfill } from './backfill-command';
export { runBackup, runBackupsFolder, runBackupsList, runRestore, runVerify, terminalConfirm } from './backup-command';
export { runFeaturesMaterialize } from './features-command';
export { runImport } from './import-command';
export { runInstrumentsAdd, runInstrumentsList, runInstrumentsRemove } from './instruments-command';
export { runModelsActivate, runModelsExport, runModelsImport, runModelsList, runModelsRuns, runPredict, runTrain } from './models-command';
export { runRetention } from './retention-command';
export { runServe } from './serve-command';
export { runStatus } from './status-command';
export { runSync } from './sync-command';
