import { existsSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import type { Core } from '../core/create-core';
import type { Logger } from '../core/ports';
import { badOhlcPolicies, dateFormats, instrumentKinds, jobStatuses, modelTypes, presetNames, providerIds, timeframes } from '../shared/choices';
import { redactText } from '../core/logging/redact';
import type { LogLevel } from '../server/headless-ports';
import { isLoopbackHost } from '../shared/hosts';
import type { BackfillCommandOptions } from './backfill-command';
import type { BackupCommandOptions, BackupsFolderOptions, BackupsListOptions, RestoreCommandOptions, VerifyCommandOptions } from './backup-command';
import { CliError, exitCodes } from './exit-codes';
import type { FeaturesMaterializeOptions } from './features-command';
import type { ImportCommandOptions } from './import-command';
import type { InstrumentsAddOptions, InstrumentsListOptions, InstrumentsRemoveOptions } from './instruments-command';
import type { ModelsRunsOptions, TrainCommandOptions } from './models-command';
import {
  collect,
  DEFAULT_HOST,
  DEFAULT_PORT,
  parseBackfillDate,
  parseDelimiter,
  parseLastBarTime,
  parseLevel,
  parsePort,
  parseProviderTicker,
  parseUtcOffset,
  parseWhole,
} from './options';
import { readAppVersion } from './package-root';
import type { RetentionCommandOptions } from './retention-command';
import type { StatusCommandOptions } from './status-command';
import type { SyncCommandOptions } from './sync-command';

/**
 * The code the commands run, loaded only once one runs: building the program and printing its
 * help or version needs none of it, so `metalytics --help` answers without loading the core.
 */
const loadCommands = () => import('./commands');
type Commands = Awaited<ReturnType<typeof loadCommands>>;

interface WorkspaceOptions {
  dataDir?: string;
  databaseUrl?: string;
}

const EXIT_CODES_HELP = `
Exit codes:
  0  success
  1  failure (internal error, conflict, cancelled)
  2  usage error or invalid input
  3  not found (unknown symbol, missing file)
  4  unavailable (database or provider unreachable or rate-limited; status: database offline)`;

const ENVIRONMENT_HELP = `
Environment:
  METALYTICS_DATA_DIR            data folder (default: the OS app-data folder "Metalytics")
  METALYTICS_DATABASE_URL        postgres://user:password@host/db (default: the database chosen in Settings,
                                 else SQLite in the data folder); safer than --database-url, which other
                                 users of this machine can see in the process list
  METALYTICS_TOKEN               access token for serve (default: random per run; at least 32 characters
                                 with --allow-remote)
  METALYTICS_METRICS_TOKEN       a second token that opens only /metrics of a serve other machines can reach
  METALYTICS_IMPORT_DIR          the only folder serve imports files from by path (default: none; uploads
                                 always work)
  PORT                           port for serve (default ${DEFAULT_PORT}; 0 = any free port)
  METALYTICS_POLYGON_API_KEY, METALYTICS_TWELVEDATA_API_KEY, METALYTICS_METALSAPI_API_KEY
                                 provider keys (override <data folder>/secrets.json)
  METALYTICS_<PROVIDER>_BASE_URL, METALYTICS_<PROVIDER>_RATE_LIMIT
                                 provider address and requests per minute (0 = no limit of our own) for backfill
  METALYTICS_LOG_LEVEL           debug | info | warn | error | silent
  METALYTICS_LOG_FORMAT          text | json (log lines on stderr)
A .env file in the current folder is read first; variables already set win.`;

function withWorkspaceOptions(command: Command): Command {
  return command
    .option('--data-dir <dir>', 'data folder (default: $METALYTICS_DATA_DIR or the OS app-data folder)')
    .option(
      '--database-url <url>',
      'Postgres URL (default: $METALYTICS_DATABASE_URL, else the database chosen in Settings, else SQLite in the data folder)',
    );
}

/** Opens the one core this process uses, runs `work` with the commands' code, and always closes it. */
async function withCore(
  options: WorkspaceOptions,
  defaultLevel: LogLevel,
  work: (core: Core, run: Commands, logger: Logger) => Promise<number>,
): Promise<number> {
  const run = await loadCommands();
  const env = process.env;
  const logger = run.createStderrLogger({ ...run.resolveLogSettings(env, defaultLevel), secrets: run.environmentSecrets(env) });
  const core = await run.openHeadlessCore({ config: run.resolveHeadlessConfig(options, env), validateOutput: run.shouldValidateOutput(env), logger });
  try {
    return await work(core, run, logger);
  } finally {
    await core.close();
  }
}

function buildProgram(setExitCode: (code: number) => void): Command {
  const program = new Command('metalytics')
    .description(
      'Metalytics headless: serve the app over HTTP, import CSV files, backfill from providers, manage instruments, train and run forecasting models, and check the workspace.',
    )
    .version(readAppVersion())
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', `${ENVIRONMENT_HELP}\n${EXIT_CODES_HELP}`);

  withWorkspaceOptions(
    program
      .command('serve')
      .description('run the core and serve the web UI, the API, /healthz and /metrics on 127.0.0.1')
      .option('--port <port>', `port to listen on (default: $PORT or ${DEFAULT_PORT}; 0 = any free port)`, parsePort)
      .option('--host <host>', `interface to bind (default: ${DEFAULT_HOST}); others need --allow-remote`)
      .option('--allow-remote', 'allow binding an interface other machines can reach', false)
      .option(
        '--behind-proxy',
        'a reverse proxy on this host forwards other machines to this loopback port: apply the remote rules and read client addresses from X-Forwarded-For',
        false,
      ),
  ).action(async (options: WorkspaceOptions & { port?: number; host?: string; allowRemote: boolean; behindProxy: boolean }) => {
    const host = options.host ?? DEFAULT_HOST;
    if (!isLoopbackHost(host) && !options.allowRemote) {
      throw new CliError(
        `Refusing to listen on ${host}: Metalytics serves only this computer (127.0.0.1) unless you also pass --allow-remote.`,
        exitCodes.usage,
      );
    }
    const env = process.env;
    const { resolveImportDir, resolveMetricsToken, resolvePort, resolveToken } = await loadCommands();
    const settings = {
      host,
      port: resolvePort(options.port, env),
      allowRemote: options.allowRemote,
      behindProxy: options.behindProxy,
      token: resolveToken(env),
      importDir: resolveImportDir(env),
      metricsToken: resolveMetricsToken(env),
    };
    setExitCode(await withCore(options, 'info', (core, run, logger) => run.runServe(core, settings, logger, run.processOutput)));
  });

  withWorkspaceOptions(
    program
      .command('import')
      .description('import a CSV file of bars (Yahoo, MetaTrader, Binance, TradingView, Stooq, Investing.com or any mapped columns)')
      .argument('<file>', 'CSV file to import')
      .requiredOption('--symbol <symbol>', 'instrument the rows belong to, e.g. XAUUSD')
      .addOption(new Option('--timeframe <timeframe>', 'timeframe of the rows (default: detected from their spacing)').choices(timeframes))
      .option('--preview', 'parse and report without writing anything', false)
      .option('--delimiter <char>', 'column separator: "," ";" "|" or tab (default: detected)', parseDelimiter)
      .addOption(new Option('--date-format <format>', 'how the time column is written (default: detected)').choices(dateFormats))
      .addOption(new Option('--decimal-separator <char>', 'what separates a number\'s fraction (default: detected)').choices(['.', ',']))
      .option('--utc-offset <±HH:MM>', 'the zone times without one are written in, e.g. +02:00 (default: UTC)', parseUtcOffset)
      .option('--map <field=column,...>', 'which column holds each field, e.g. time=Date,close=Price (repeatable; numbers are 0-based indexes; volume=none and the like for a column not in the file)', collect, [])
      .addOption(
        new Option('--bad-ohlc <policy>', 'rows whose high and low do not enclose open and close: reject them, widen high and low, or keep them as written')
          .choices(badOhlcPolicies)
          .default('reject'),
      )
      .option('--json', 'print the result as JSON', false),
  ).action(async (file: string, options: WorkspaceOptions & ImportCommandOptions) => {
    setExitCode(await withCore(options, 'warn', (core, run) => run.runImport(core, file, options, run.processOutput)));
  });

  withWorkspaceOptions(
    program
      .command('backfill')
      .description('fetch a range of bars from a provider, resumable: run the same command again after a crash or Ctrl-C')
      .addOption(new Option('--provider <provider>', 'where the bars come from').choices(providerIds).makeOptionMandatory())
      .requiredOption('--symbol <symbol>', 'instrument to fill, e.g. XAUUSD')
      .addOption(new Option('--timeframe <timeframe>', 'timeframe of the bars').choices(timeframes).makeOptionMandatory())
      .requiredOption('--from <date>', 'first day (UTC YYYY-MM-DD, or an ISO date-time with its zone)', parseBackfillDate('from'))
      .option('--to <date>', 'last day, included (default: now, or the end of an unfinished backfill from --from)', parseBackfillDate('to'))
      .option('--json', 'print the checkpoint and run summary as JSON', false),
  ).action(async (options: WorkspaceOptions & BackfillCommandOptions) => {
    setExitCode(await withCore(options, 'warn', (core, run) => run.runBackfill(core, options, run.processOutput)));
  });

  withWorkspaceOptions(
    program
      .command('status')
      .description('show the database, stored bars and coverage per symbol and timeframe')
      .option('--symbol <symbol>', 'only this instrument')
      .option('--json', 'print the status as JSON', false),
  ).action(async (options: WorkspaceOptions & StatusCommandOptions) => {
    setExitCode(await withCore(options, 'warn', (core, run) => run.runStatus(core, options, run.processOutput)));
  });

  withWorkspaceOptions(
    program
      .command('sync')
      .description("team mode: send this data folder's cached changes to the team database and take in the team's, now")
      .option('--json', 'print { pushedRows, pulledRows, conflicts, rangesCompared, rangesMoved, startedAt, finishedAt } as JSON', false),
  ).action(async (options: WorkspaceOptions & SyncCommandOptions) => {
    setExitCode(await withCore(options, 'warn', (core, run) => run.runSync(core, options, run.processOutput)));
  });

  const instruments = program.command('instruments').description('list, add and remove the instruments of the workspace');
  withWorkspaceOptions(
    instruments
      .command('add')
      .description('add an instrument of your own')
      .argument('<symbol>', 'its canonical symbol, e.g. XAUEUR or GC=F')
      .addOption(new Option('--kind <kind>', 'what it is').choices(instrumentKinds).makeOptionMandatory())
      .option('--name <name>', 'its name (default: the symbol)')
      .option('--unit <unit>', 'what one unit of price means, e.g. "EUR per troy ounce" (default: "<currency> per unit")')
      .option('--currency <code>', 'the currency of its prices (default: USD)')
      .option('--provider <provider:ticker>', 'its ticker at a provider, e.g. polygon:C:XAUEUR (repeatable)', parseProviderTicker),
  ).action(async (symbol: string, options: WorkspaceOptions & InstrumentsAddOptions) => {
    setExitCode(await withCore(options, 'warn', (core, run) => run.runInstrumentsAdd(core, symbol, options, run.processOutput)));
  });
  withWorkspaceOptions(
    instruments.command('list').description('list the instruments with their tickers per provider').option('--json', 'print the list as JSON', false),
  ).action(async (options: WorkspaceOptions & InstrumentsListOptions) => {
    setExitCode(await withCore(options, 'warn', (core, run) => run.runInstrumentsList(core, options, run.processOutput)));
  });
  withWorkspaceOptions(
    instruments
      .command('remove')
      .description('delete an instrument; one holding bars needs --delete-bars')
      .argument('<symbol>', 'the instrument to delete')
      .option('--delete-bars', 'also delete its stored bars, coverage and backfill checkpoints', false),
  ).action(async (symbol: string, options: WorkspaceOptions & InstrumentsRemoveOptions) => {
    setExitCode(await withCore(options, 'warn', (core, run) => run.runInstrumentsRemove(core, symbol, options, run.processOutput)));
  });

  withWorkspaceOptions(
    program
      .command('train')
      .description('train a model on stored bars and register it as a new version; it is scored against naive on the same test targets')
      .requiredOption('--symbol <symbol>', 'instrument to forecast, e.g. XAUUSD')
      .addOption(new Option('--timeframe <timeframe>', 'timeframe of the bars').choices(timeframes).makeOptionMandatory())
      .addOption(new Option('--model <type>', 'model type').choices(modelTypes).makeOptionMandatory())
      .option('--horizon <bars>', 'bars ahead the forecast close lies (default 1)', parseWhole('--horizon'))
      .option('--from <date>', 'first bar (UTC YYYY-MM-DD, or an ISO date-time with its zone; default: the oldest stored)', parseBackfillDate('from'))
      .option('--to <date>', 'last day, included (default: the latest stored bar)', parseLastBarTime)
      .option('--epochs <n>', 'most epochs for mlp, lstm and gru (early stopping may end sooner)', parseWhole('--epochs'))
      .option('--seed <n>', 'random seed, for the same result on the same backend (default 42)', parseWhole('--seed'))
      .option('--level <level>', 'prediction-interval level, between 0 and 1 (default 0.9)', parseLevel)
      .option('--name <name>', 'registry name its versions share (default: <model>-<timeframe>, or the preset\'s)')
      .addOption(new Option('--preset <preset>', 'spot_12h: the last 12 hours of spot prices; daily_lstm; intraday_gru').choices(presetNames))
      .addOption(new Option('--stage <stage>', 'stage the new version enters').choices(['candidate', 'shadow']))
      .option('--json', 'print only the result as one JSON object; epochs and progress go to stderr', false),
  ).action(async (options: WorkspaceOptions & TrainCommandOptions) => {
    setExitCode(await withCore(options, 'warn', (core, run) => run.runTrain(core, options, run.processOutput)));
  });

  const models = program.command('models').description('list, activate, export and import the versions in the model registry');
  withWorkspaceOptions(
    models
      .command('list')
      .description('list the registered versions with their scores against naive')
      .option('--symbol <symbol>', 'only models of this instrument')
      .option('--json', 'print the list as a JSON array', false),
  ).action(async (options: WorkspaceOptions & { json: boolean; symbol?: string }) => {
    setExitCode(await withCore(options, 'warn', (core, run) => run.runModelsList(core, options, run.processOutput)));
  });
  withWorkspaceOptions(
    models
      .command('runs')
      .description('list the training runs, however they ended: params, data range, samples, backend, status, error, the version registered')
      .option('--symbol <symbol>', 'only runs trained on this instrument')
      .option('--name <name>', 'only runs of this registry name')
      .addOption(new Option('--status <status>', 'only runs that ended so').choices(jobStatuses))
      .option('--limit <n>', 'most runs, newest first (default 50)', parseWhole('--limit'))
      .option('--json', 'print the runs as a JSON array, with their loss histories', false),
  ).action(async (options: WorkspaceOptions & ModelsRunsOptions) => {
    setExitCode(await withCore(options, 'warn', (core, run) => run.runModelsRuns(core, options, run.processOutput)));
  });
  withWorkspaceOptions(
    models
      .command('activate')
      .description('make a version the active one of its name and symbol (the previous one becomes a candidate); activating an older version rolls back')
      .argument('<id>', 'the model id (see models list)')
      .option('--reason <text>', 'why, kept in the stage history'),
  ).action(async (id: string, options: WorkspaceOptions & { reason?: string }) => {
    setExitCode(await withCore(options, 'warn', (core, run) => run.runModelsActivate(core, id, options, run.processOutput)));
  });
  withWorkspaceOptions(
    models
      .command('export')
      .description('write a version (registry row, lineage, training run, stage history and artifact) to one JSON file')
      .argument('<id>', 'the model id')
      .argument('<file>', 'the file to write'),
  ).action(async (id: string, file: string, options: WorkspaceOptions) => {
    setExitCode(await withCore(options, 'warn', (core, run) => run.runModelsExport(core, id, file, run.processOutput)));
  });
  withWorkspaceOptions(
    models
      .command('import')
      .description('register a version from an export file as a candidate, after checking its artifact\'s sha256')
      .argument('<file>', 'the export file'),
  ).action(async (file: string, options: WorkspaceOptions) => {
    setExitCode(await withCore(options, 'warn', (core, run) => run.runModelsImport(core, file, run.processOutput)));
  });

  const features = program.command('features').description('materialise feature sets into feature_store');
  withWorkspaceOptions(
    features
      .command('materialize')
      .description('compute the feature set over the stored bars of a range, as training does, and store it, replacing the set\'s rows of that series')
      .requiredOption('--symbol <symbol>', 'instrument, e.g. XAUUSD')
      .addOption(new Option('--timeframe <timeframe>', 'timeframe of the bars').choices(timeframes).makeOptionMandatory())
      .option('--from <date>', 'first bar (UTC YYYY-MM-DD, or an ISO date-time with its zone; default: the oldest stored)', parseBackfillDate('from'))
      .option('--to <date>', 'last day, included (default: the latest stored bar)', parseLastBarTime)
      .option('--json', 'print { symbol, timeframe, featureSetVersion, columns, rows, from, to, runId } as JSON', false),
  ).action(async (options: WorkspaceOptions & FeaturesMaterializeOptions) => {
    setExitCode(await withCore(options, 'warn', (core, run) => run.runFeaturesMaterialize(core, options, run.processOutput)));
  });

  withWorkspaceOptions(
    program
      .command('backup')
      .description('back up the whole workspace (database, models, settings) into one verified archive')
      .option('--out <file>', 'the archive to write, ending in .mlbackup (default: a new file in <data folder>/backups)')
      .option('--passphrase-env <var>', 'include the secrets, sealed with the passphrase in this environment variable')
      .option('--json', 'print the backup as JSON', false),
  ).action(async (options: WorkspaceOptions & BackupCommandOptions) => {
    setExitCode(await withCore(options, 'warn', (core, run) => run.runBackup(core, options, run.processOutput, process.env)));
  });

  withWorkspaceOptions(
    program
      .command('predict')
      .description('forecast with a registered version from the bars up to a time, with its prediction interval')
      .requiredOption('--model <id>', 'the model id (see models list)')
      .option('--asof <time>', 'use only bars that opened at or before this time (UTC YYYY-MM-DD or an ISO date-time with its zone; default: the latest bar)', parseBackfillDate('from'))
      .option('--json', 'print { modelId, asOf, predictions } as JSON', false),
  ).action(async (options: WorkspaceOptions & { model: string; asof?: number; json: boolean }) => {
    setExitCode(await withCore(options, 'warn', (core, run) => run.runPredict(core, options, run.processOutput)));
  });

  withWorkspaceOptions(
    program
      .command('verify')
      .description('check a backup archive: every checksum, the database copy, row counts and table checksums')
      .argument('<file>', 'the archive to check')
      .option('--passphrase-env <var>', 'also open the sealed secrets with the passphrase in this environment variable')
      .option('--json', 'print the report as JSON', false),
  ).action(async (file: string, options: WorkspaceOptions & VerifyCommandOptions) => {
    setExitCode(await withCore(options, 'warn', (core, run) => run.runVerify(core, file, options, run.processOutput, process.env)));
  });

  withWorkspaceOptions(
    program
      .command('restore')
      .description('replace the workspace with a backup archive: verified and previewed first, a safety backup taken before the switch')
      .argument('<file>', 'the archive to restore')
      .option('--yes', 'restore without asking (needed when not on a terminal)', false)
      .option('--passphrase-env <var>', 'also restore the sealed secrets, with the passphrase in this environment variable')
      .option('--json', 'print the outcome as JSON', false),
  ).action(async (file: string, options: WorkspaceOptions & RestoreCommandOptions) => {
    setExitCode(await withCore(options, 'warn', (core, run) => run.runRestore(core, file, options, run.processOutput, process.env, run.terminalConfirm())));
  });

  const backups = program.command('backups').description('the backups of the workspace');
  withWorkspaceOptions(
    backups.command('list').description('list the backups, newest first, with their verified state').option('--json', 'print the list as JSON', false),
  ).action(async (options: WorkspaceOptions & BackupsListOptions) => {
    setExitCode(await withCore(options, 'warn', (core, run) => run.runBackupsList(core, options, run.processOutput)));
  });
  withWorkspaceOptions(
    backups
      .command('folder')
      .description('print the folder new backups are written to, or set it (earlier backups stay where they are)')
      .argument('[path]', 'the folder to write new backups to')
      .option('--default', "go back to the data folder's backups folder", false)
      .option('--json', 'print { folder } as JSON', false),
  ).action(async (folder: string | undefined, options: WorkspaceOptions & BackupsFolderOptions) => {
    setExitCode(await withCore(options, 'warn', (core, run) => run.runBackupsFolder(core, folder, options, run.processOutput)));
  });

  withWorkspaceOptions(
    program
      .command('retention')
      .description('show what data retention would roll up now (minute bars older than the setting into hourly bars), or do it with --apply')
      .option('--apply', 'roll them up and delete them now, as a retention job', false)
      .option('--json', 'print the estimate (or what was rolled up) as JSON', false),
  ).action(async (options: WorkspaceOptions & RetentionCommandOptions) => {
    setExitCode(await withCore(options, 'warn', (core, run) => run.runRetention(core, options, run.processOutput)));
  });

  return program;
}

/** Parses `argv`, runs one command and returns its exit code; never throws. */
async function main(argv: readonly string[]): Promise<number> {
  // Settings from a local .env, as the design promises for headless use; the real environment wins.
  if (existsSync('.env')) process.loadEnvFile('.env');
  let exitCode: number = exitCodes.ok;
  try {
    await buildProgram((code) => {
      exitCode = code;
    }).parseAsync([...argv]);
    return exitCode;
  } catch (error) {
    // Commander has already printed its usage message; help and --version end with 0.
    if (error instanceof CommanderError) return error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
    if (error instanceof CliError) {
      process.stderr.write(`${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`Metalytics failed unexpectedly: ${redactText(error instanceof Error ? (error.stack ?? error.message) : String(error))}\n`);
    return exitCodes.failure;
  }
}

const exitCode = await main(process.argv);
process.exitCode = exitCode;
// A handle left open (a database pool, a timer) must not keep a finished cron job running.
setTimeout(() => process.exit(exitCode), 2000).unref();
