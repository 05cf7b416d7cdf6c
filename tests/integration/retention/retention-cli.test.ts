/** `metalytics retention` as a user runs it: the estimate, the refusal while off, and --apply with progress on stderr. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, runCliIn } from '../../support/cli-process';

const MINUTES = 3 * 1_440;

let workDir: string;

const runCli = (args: string[]) => runCliIn(workDir, args, cliEnv(path.join(workDir, 'data')));

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'metalytics-retention-cli-'));
});
afterAll(() => rm(workDir, { recursive: true, force: true }));

describe('metalytics retention', () => {
  it('says retention is off, estimates once it is set, and rolls up with --apply', async () => {
    // Three days of minute bars in 2020, far older than any cut-off.
    const start = Date.UTC(2020, 0, 6);
    const lines = ['time,open,high,low,close,volume'];
    for (let i = 0; i < MINUTES; i++) {
      const price = 7_000 + Math.sin(i / 50) * 100;
      lines.push(`${new Date(start + i * 60_000).toISOString()},${price},${price + 3},${price - 2},${price + 1},${(i % 9) + 0.5}`);
    }
    const csv = path.join(workDir, 'btc-minutes.csv');
    await writeFile(csv, `${lines.join('\n')}\n`);
    const imported = await runCli(['import', csv, '--symbol', 'BTCUSD', '--timeframe', '1m']);
    expect(imported.stderr + imported.stdout).toContain('4,320');
    expect(imported.code).toBe(0);

    const off = await runCli(['retention']);
    expect(off.code).toBe(0);
    expect(off.stdout).toContain('Data retention is off');
    const refused = await runCli(['retention', '--apply']);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim().split('\n')).toEqual([expect.stringContaining('Data retention is off')]);

    await writeFile(path.join(workDir, 'data', 'settings.json'), JSON.stringify({ retention: { minuteBarsDays: 30 } }));
    const estimate = await runCli(['retention', '--json']);
    expect(estimate.code).toBe(0);
    expect(JSON.parse(estimate.stdout).instruments).toEqual([expect.objectContaining({ symbol: 'BTCUSD', minuteBars: MINUTES, hourBars: 72 })]);
    expect((await runCli(['retention'])).stdout).toMatch(/BTCUSD\s+4,320\s+72/);

    const applied = await runCli(['retention', '--apply']);
    expect(applied.code).toBe(0);
    expect(applied.stderr).toMatch(/Rolling up minute bars: 4,320 \/ 4,320 bars/);
    expect(applied.stdout).toMatch(/Rolled up into hourly bars and deleted:[\s\S]*BTCUSD\s+4,320\s+72/);
    expect(JSON.parse((await runCli(['retention', '--json'])).stdout).instruments).toEqual([]);
  }, 120_000);
});
