import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeProviderServer } from '../support/fake-provider-server';
import { CLI_BIN, cliEnv as cliEnvFor, runCliIn, type CliRun } from '../support/cli-process';
import { goldInEuro } from '../support/instruments';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const XAUUSD_CSV = path.resolve(repoRoot, '../shared/data/xauusd-1d-mt4.csv');

let workDir: string;
let dataDir: string;

function cliEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return cliEnvFor(dataDir, extra);
}

/** Runs `metalytics` as a user would, from a folder with no .env, and waits for it to exit. */
function runCli(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return runCliIn(workDir, args, cliEnv(extraEnv));
}

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'metalytics-cli-'));
  dataDir = path.join(workDir, 'data');
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('metalytics import and status', () => {
  it('imports a MetaTrader export and prints a summary', async () => {
    const run = await runCli(['import', XAUUSD_CSV, '--symbol', 'XAUUSD']);
    expect(run.stderr).toMatch(/Importing xauusd-1d-mt4\.csv: 5,383 \/ 5,383 \w+ \(100%\)/);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Imported xauusd-1d-mt4.csv into XAUUSD 1d');
    expect(run.stdout).toMatch(/inserted\s+5,383/);
    expect(run.stdout).toMatch(/rejected\s+0/);
    expect(run.stdout).toContain('2004-06-11 … 2025-09-30 UTC');
  });

  it('reports nothing inserted when the same file is imported again', async () => {
    const run = await runCli(['import', XAUUSD_CSV, '--symbol', 'xauusd', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ symbol: 'XAUUSD', timeframe: '1d', inserted: 0, updated: 0, unchanged: 5383, rejected: 0 });
  });

  it('previews without writing', async () => {
    const run = await runCli(['import', XAUUSD_CSV, '--symbol', 'XAUUSD', '--preview', '--delimiter', ';', '--date-format', 'YYYY.MM.DD HH:mm']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('nothing was written');
    expect(run.stdout).toMatch(/rows\s+5,383 read, 5,383 valid, 0 rejected/);
    expect(run.stdout).toContain('time=Date');
  });

  it('shows the stored bars and coverage in status', async () => {
    const text = await runCli(['status']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/database\s+SQLite, online/);
    expect(text.stdout).toMatch(/bars\s+5,383/);
    expect(text.stdout).toMatch(/XAUUSD\s+1d\s+\S+\s+2004-06-11\s+2025-09-30\s+5,383/);

    const json = await runCli(['status', '--json']);
    expect(json.code).toBe(0);
    const status = JSON.parse(json.stdout);
    expect(status).toMatchObject({ bars: 5383, database: { mode: 'sqlite', online: true } });
    expect(status.coverage).toEqual([expect.objectContaining({ symbol: 'XAUUSD', timeframe: '1d', count: 5383 })]);
  });

  it('sync: a local workspace has no team database to sync with, exit 2 and nothing changed', async () => {
    const run = await runCli(['sync']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no team database to sync with');
    const json = await runCli(['sync', '--json']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'VALIDATION' } });
    expect((await runCli(['status'])).stdout).toMatch(/bars\s+5,383/);
  });

  it('exits 3 with a sentence for an unknown symbol', async () => {
    const importRun = await runCli(['import', XAUUSD_CSV, '--symbol', 'NOSUCH']);
    expect(importRun.code).toBe(3);
    expect(importRun.stderr).toMatch(/Unknown instrument "NOSUCH"/);
    const statusRun = await runCli(['status', '--symbol', 'NOSUCH', '--json']);
    expect(statusRun.code).toBe(3);
    expect(JSON.parse(statusRun.stdout)).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('exits non-zero with a sentence for a missing file', async () => {
    const run = await runCli(['import', path.join(workDir, 'missing.csv'), '--symbol', 'XAUUSD']);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('missing.csv');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('previews the bad-OHLC rows with the chosen policy and imports them widened', async () => {
    const btcusdt = path.resolve(repoRoot, '../shared/data/btcusdt-1h.csv');
    const preview = await runCli(['import', btcusdt, '--symbol', 'BTCUSDT', '--preview', '--bad-ohlc', 'widen']);
    expect(preview.code).toBe(0);
    expect(preview.stdout).toMatch(/bad OHLC\s+1,972 rows \(5\.3%\) have a close outside high–low\. With --bad-ohlc widen: Their high and low are widened/);
    expect(preview.stdout).toMatch(/rows\s+37,394 read, 37,394 valid, 0 rejected/);
    // A workspace of its own, so the bars of the other tests stay as they are.
    const run = await runCli(['import', btcusdt, '--symbol', 'BTCUSDT', '--bad-ohlc', 'widen', '--json', '--data-dir', path.join(workDir, 'btc')]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ badOhlc: 'widen', inserted: 37_394, rejected: 0, repaired: 1_972 });
  });

  it('exits 2 when the timeframe contradicts the row spacing', async () => {
    const run = await runCli(['import', XAUUSD_CSV, '--symbol', 'XAUUSD', '--timeframe', '1h']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('rows of xauusd-1d-mt4.csv are 1 day apart, so they are not 1h bars');
  });

  it('exits 2 on usage errors', async () => {
    const noSymbol = await runCli(['import', XAUUSD_CSV]);
    expect(noSymbol.code).toBe(2);
    expect(noSymbol.stderr).toContain("required option '--symbol <symbol>'");
    const badMap = await runCli(['import', XAUUSD_CSV, '--symbol', 'XAUUSD', '--map', 'price=Close']);
    expect(badMap.code).toBe(2);
    expect(badMap.stderr).toMatch(/not a bar field/);
  });
});

// Each run starts a process that compiles the CLI, a few seconds apiece on a busy machine.
describe('metalytics train, models and predict', { timeout: 120_000 }, () => {
  // The bars come from the import above.
  let modelId: string;

  it('trains with --json: stdout is exactly the result object, epochs and progress on stderr', async () => {
    const run = await runCli(['train', '--symbol', 'XAUUSD', '--timeframe', '1d', '--model', 'mlp', '--from', '2023-01-01', '--epochs', '2', '--horizon', '2', '--json']);
    expect(run.stderr).toMatch(/epoch 2\/2 {2}loss /);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as Record<string, Record<string, unknown>> & { modelId: string };
    expect(Object.keys(result)).toEqual(['modelId', 'version', 'modelType', 'backend', 'metrics', 'training', 'evaluation']);
    expect(Object.keys(result.metrics!)).toEqual(['mae', 'rmse', 'mape', 'directional_accuracy', 'rel_mae', 'mase', 'dm_pvalue', 'interval_coverage']);
    expect(Object.keys(result.training!)).toEqual(['from', 'to', 'samples']);
    expect(result.evaluation).toMatchObject({ horizon: 2, level: 0.9 });
    expect(result).toMatchObject({ version: 1, modelType: 'mlp' });
    modelId = result.modelId;
  });

  it('says "no evidence of skill over naive" unless the DM p-value is below 0.05', async () => {
    const run = await runCli(['train', '--symbol', 'XAUUSD', '--timeframe', '1d', '--model', 'seasonal_naive']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Trained seasonal_naive-1d v1 \(seasonal_naive\) on XAUUSD 1d with js: (no evidence of skill over naive|worse than naive)\n/);
  });

  it('lists models with --json and activates one', async () => {
    const listed = await runCli(['models', 'list', '--json']);
    expect(listed.code).toBe(0);
    const models = JSON.parse(listed.stdout) as Record<string, unknown>[];
    expect(models.map((m) => Object.keys(m))).toEqual(models.map(() => ['modelId', 'modelName', 'modelType', 'version', 'symbol', 'timeframe', 'stage', 'isActive', 'metrics', 'artifactPath']));
    expect(models.find((m) => m.modelId === modelId)).toMatchObject({ modelName: 'mlp-1d', stage: 'candidate', isActive: false, artifactPath: path.join(dataDir, 'models', modelId, 'artifact.bin') });

    const activated = await runCli(['models', 'activate', modelId]);
    expect(activated).toMatchObject({ code: 0, stdout: 'mlp-1d v1 (mlp) is now the active model of XAUUSD.\n' });
    expect(await runCli(['models', 'activate', 'no-such-model'])).toMatchObject({ code: 3, stderr: 'There is no model no-such-model.\n' });
  });

  it('predicts as of a date with --json from the bars up to it', async () => {
    // 2025-07-02 has a bar (the file has none from 2025-06-14 to 2025-06-30).
    const run = await runCli(['predict', '--model', modelId, '--asof', '2025-07-02', '--json']);
    expect(run.code).toBe(0);
    const reply = JSON.parse(run.stdout) as { modelId: string; asOf: number; predictions: { targetTime: number; predicted: number; lower: number; upper: number }[] };
    expect(reply).toMatchObject({ modelId, asOf: Date.UTC(2025, 6, 2) });
    expect(reply.predictions.map((p) => Object.keys(p))).toEqual(reply.predictions.map(() => ['targetTime', 'predicted', 'lower', 'upper']));
    const [point] = reply.predictions;
    expect(point!.targetTime).toBeGreaterThan(reply.asOf);
    expect(point!.lower).toBeLessThan(point!.predicted);
    expect(point!.upper).toBeGreaterThan(point!.predicted);
    expect(await runCli(['predict', '--model', modelId, '--asof', 'yesterday'])).toMatchObject({ code: 2 });
  });

  it('refuses a range with too few bars with exit code 2, saying how many it needs', async () => {
    const run = await runCli(['train', '--symbol', 'XAUUSD', '--timeframe', '1d', '--model', 'ridge', '--from', '2025-09-01', '--json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/needs at least \d+ bars/);
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { code: 'VALIDATION' } });
  });

  it('lists the training runs with --json, the refused one included as no run at all', async () => {
    const run = await runCli(['models', 'runs', '--json']);
    expect(run.code).toBe(0);
    const runs = JSON.parse(run.stdout) as { runId: string; modelType: string; status: string; modelId: string | null; samples: number | null }[];
    expect(runs.map((r) => [r.modelType, r.status])).toEqual([
      ['seasonal_naive', 'succeeded'],
      ['mlp', 'succeeded'],
    ]);
    expect(runs[1]).toMatchObject({ modelId, samples: expect.any(Number) });
    const table = await runCli(['models', 'runs', '--status', 'failed']);
    expect(table).toMatchObject({ code: 0, stdout: 'No training runs.\n' });
  });

  it('materialises the feature set with --json and refuses an unknown symbol', async () => {
    const run = await runCli(['features', 'materialize', '--symbol', 'xauusd', '--timeframe', '1d', '--from', '2024-01-01', '--to', '2024-12-31', '--json']);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as Record<string, unknown> & { columns: string[]; rows: number; to: number };
    expect(result).toMatchObject({ symbol: 'XAUUSD', timeframe: '1d', featureSetVersion: 'v1', rows: expect.any(Number) });
    expect(result.columns).toContain('rsi_14');
    expect(result.rows).toBeGreaterThan(200);
    expect(result.to).toBeLessThan(Date.UTC(2025, 0, 1));
    const unknown = await runCli(['features', 'materialize', '--symbol', 'NOPE', '--timeframe', '1d']);
    expect(unknown).toMatchObject({ code: 3, stderr: 'There is no instrument NOPE.\n' });
  });
});

describe('metalytics instruments', { timeout: 120_000 }, () => {
  const env = () => ({ METALYTICS_DATA_DIR: path.join(workDir, 'instruments') });

  it('adds an instrument with its tickers, refuses it twice and lists it', async () => {
    const added = await runCli(
      ['instruments', 'add', 'xaueur', '--kind', 'spot', '--name', 'Gold in euro', '--currency', 'EUR', '--unit', 'EUR per troy ounce',
        '--provider', 'polygon:C:XAUEUR', '--provider', 'twelvedata:XAU/EUR'],
      env(),
    );
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('Added XAUEUR');
    expect(added.stdout).toMatch(/providers\s+polygon:C:XAUEUR twelvedata:XAU\/EUR/);

    const again = await runCli(['instruments', 'add', 'XAUEUR', '--kind', 'spot'], env());
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('There is already an instrument XAUEUR.');

    const list = await runCli(['instruments', 'list'], env());
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^\s+SYMBOL\s+KIND\s+NAME\s+UNIT\s+PROVIDERS$/m);
    expect(list.stdout).toMatch(/XAUEUR\s+spot\s+Gold in euro\s+EUR per troy ounce\s+polygon:C:XAUEUR twelvedata:XAU\/EUR/);
    expect(list.stdout).toMatch(/XAUUSD\s+spot\s+Gold spot/);

    const json = await runCli(['instruments', 'list', '--json'], env());
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).instruments).toContainEqual(goldInEuro);
  });

  it('exits 2 for a kind or provider it does not know, and for a missing --kind', async () => {
    for (const args of [
      ['instruments', 'add', 'X', '--kind', 'bond'],
      ['instruments', 'add', 'X', '--kind', 'spot', '--provider', 'nasdaq:X'],
      ['instruments', 'add', 'X', '--kind', 'spot', '--provider', 'polygon'],
      ['instruments', 'add', 'X'],
    ]) {
      expect((await runCli(args, env())).code, args.join(' ')).toBe(2);
    }
  });

  it('removes an instrument holding bars only with --delete-bars, saying how many', async () => {
    const file = path.join(workDir, 'xaueur.csv');
    await writeFile(file, 'time,open,high,low,close\n2025-02-03,2700,2710,2690,2705\n2025-02-04,2705,2720,2700,2715\n');
    expect((await runCli(['import', file, '--symbol', 'XAUEUR'], env())).code).toBe(0);

    const refused = await runCli(['instruments', 'remove', 'XAUEUR'], env());
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('XAUEUR holds 2 stored bars');
    expect(refused.stderr).toContain('--delete-bars');

    const removed = await runCli(['instruments', 'remove', 'xaueur', '--delete-bars'], env());
    expect(removed.code).toBe(0);
    expect(removed.stdout).toBe('Removed XAUEUR and its 2 stored bars.\n');
    expect((await runCli(['instruments', 'list'], env())).stdout).not.toContain('XAUEUR');
    expect((await runCli(['status'], env())).stdout).toMatch(/bars\s+0/);

    const unknown = await runCli(['instruments', 'remove', 'XAUEUR'], env());
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('There is no instrument XAUEUR.');

    // A built-in without bars goes at once, and stays gone.
    expect((await runCli(['instruments', 'remove', 'GLD'], env())).stdout).toBe('Removed GLD.\n');
    expect((await runCli(['instruments', 'list'], env())).stdout).not.toMatch(/^\s+GLD\s/m);
  });
});

describe('metalytics serve', () => {
  it('prints its URL once, answers /healthz and exits cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [CLI_BIN, 'serve', '--port', '0'], { cwd: workDir, env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          const match = /^Metalytics is running at (http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]{32})$/m.exec(stdout);
          if (match?.[1]) resolve(match[1]);
        });
        void exited.then((code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
      });
      const { origin, hash } = new URL(url);
      const health = await fetch(`${origin}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok', database: 'up' });

      const status = await fetch(`${origin}/api/system.status`, { method: 'POST', headers: { Authorization: `Bearer ${hash.slice('#token='.length)}` } });
      expect(await status.json()).toMatchObject({ ok: true, value: { bars: 5383 } });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(stdout.match(/Metalytics is running at/g)).toHaveLength(1);
    expect(stderr).not.toMatch(/#token=|Bearer /);
  });

  it('uses METALYTICS_TOKEN when it is set', async () => {
    const child = spawn(process.execPath, [CLI_BIN, 'serve', '--port', '0'], {
      cwd: workDir,
      env: cliEnv({ METALYTICS_TOKEN: 'my-stable-token' }),
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const line = await new Promise<string>((resolve) => {
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('\n')) resolve(stdout);
      });
    });
    child.kill('SIGINT');
    expect(line).toMatch(/#token=my-stable-token\n$/);
    expect(await exited).toBe(0);
  });

  it('refuses to listen beyond loopback without --allow-remote', async () => {
    const run = await runCli(['serve', '--host', '0.0.0.0', '--port', '0']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Refusing to listen on 0\.0\.0\.0.*--allow-remote/);
    expect(run.stdout).toBe('');
  });
});

describe('metalytics backfill as deep as the plan', () => {
  let fake: FakeProviderServer;

  beforeAll(async () => {
    // The server has every bar up to today, as Polygon/Massive does.
    fake = await FakeProviderServer.start({ now: Date.now() });
  });

  afterAll(async () => {
    await fake?.close();
  });

  const backfill2005To2024 = (dataFolder: string) =>
    runCli(['backfill', '--provider', 'polygon', '--symbol', 'XAUUSD', '--timeframe', '1d', '--from', '2005-01-01', '--to', '2024-12-31', '--json'], {
      METALYTICS_DATA_DIR: path.join(workDir, dataFolder),
      ...fake.environment('polygon'),
    });

  it('stores all twenty years a paid key may read (it stored 19 bars behind an assumed two-year cap)', async () => {
    fake.state.polygonHistoryStart = null;
    const run = await backfill2005To2024('paid');
    expect(run.code).toBe(0);
    const checkpoint = JSON.parse(run.stdout);
    // 2005-01-01 … 2024-12-31 inclusive: 7,305 days, XAUUSD trading on each at the fake server.
    expect(checkpoint).toMatchObject({ status: 'done', rowsWritten: 7305, progress: 1 });
    expect(checkpoint.lastRun).toMatchObject({ startedFrom: Date.UTC(2005, 0, 1), plan: null, inserted: 7305 });
  });

  it('says where a free key\'s plan starts instead of that the provider keeps no older bars', async () => {
    const planStart = Date.UTC(2023, 1, 21);
    fake.state.polygonHistoryStart = planStart;
    const text = await runCli(['backfill', '--provider', 'polygon', '--symbol', 'XAUUSD', '--timeframe', '1d', '--from', '2005-01-01', '--to', '2024-12-31'], {
      METALYTICS_DATA_DIR: path.join(workDir, 'free'),
      ...fake.environment('polygon'),
    });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/started at +2023-02-21 UTC \(your plan starts at 2023-02-21\)/);
    expect(text.stdout).toMatch(/plan +your plan starts at 2023-02-21 \(learned from the provider's answers in \d+ requests\)/);
    expect(text.stdout).not.toMatch(/keeps no older/);

    // The next run starts at the date learned, without a request for older bars.
    fake.reset();
    const again = await backfill2005To2024('free');
    expect(JSON.parse(again.stdout).lastRun).toMatchObject({ plan: { historyStart: planStart, source: 'remembered', probes: 0 }, unchanged: 680 });
    expect(fake.requestsTo('polygon')).toHaveLength(1);
  });
});

describe('metalytics backup, verify and backups list', () => {
  it('backs up with progress on stderr, verifies the archive and lists it; a damaged one and a missing one fail with one line', async () => {
    const out = path.join(workDir, 'cli.mlbackup');
    const backup = await runCli(['backup', '--out', out, '--passphrase-env', 'BACKUP_PASSPHRASE'], { BACKUP_PASSPHRASE: 'a long passphrase' });
    expect(backup.stderr).toMatch(/Backing up: 100 \/ 100/);
    expect(backup.code).toBe(0);
    expect(backup.stdout).toContain(`Backed up and verified to ${out}`);

    const verify = await runCli(['verify', out, '--passphrase-env', 'BACKUP_PASSPHRASE'], { BACKUP_PASSPHRASE: 'a long passphrase' });
    expect(verify.code).toBe(0);
    expect(verify.stdout).toContain(`${out} is a good backup`);

    const wrong = await runCli(['verify', out, '--passphrase-env', 'BACKUP_PASSPHRASE'], { BACKUP_PASSPHRASE: 'not the passphrase' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('The passphrase is wrong');

    const truncated = path.join(workDir, 'truncated.mlbackup');
    await writeFile(truncated, (await readFile(out)).subarray(0, 500));
    const damaged = await runCli(['verify', truncated]);
    expect(damaged.code).toBe(1);
    expect(damaged.stderr).toMatch(/truncated or unfinished/);

    const missing = await runCli(['verify', path.join(workDir, 'none.mlbackup')]);
    expect(missing.code).toBe(3);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);

    const list = await runCli(['backups', 'list', '--json']);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ path: out, status: 'verified', encrypted: true })]);

    const unset = await runCli(['backup', '--passphrase-env', 'NO_SUCH_VARIABLE']);
    expect(unset.code).toBe(2);
    expect(unset.stderr).toContain('--passphrase-env NO_SUCH_VARIABLE');
  }, 60_000);

  it('backups folder prints where new backups go, sets a folder relative to where it runs, and goes back with --default', async () => {
    const shown = await runCli(['backups', 'folder']);
    expect(shown.code).toBe(0);
    const defaultFolder = shown.stdout.trim();
    expect(path.basename(defaultFolder)).toBe('backups');

    const chosen = path.join(workDir, 'chosen-backups');
    const set = await runCli(['backups', 'folder', chosen, '--json']);
    expect(set.code).toBe(0);
    expect(JSON.parse(set.stdout)).toEqual({ folder: chosen });
    expect((await runCli(['backups', 'folder'])).stdout.trim()).toBe(chosen);

    const both = await runCli(['backups', 'folder', chosen, '--default']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('not both');

    const reset = await runCli(['backups', 'folder', '--default']);
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain(`New backups go to ${defaultFolder}`);
  }, 240_000);
});
