/**
 * `backups.preview`: what restoring an archive would replace, per instrument and timeframe and
 * per table, read from the archive without loading it into a database.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { RestoreChange, RestorePreview } from '../../../shared/backups';
import type { CoreContext } from '../../context';
import type { OpenedArchive } from '../archive/archive-reader';
import { openArchive } from '../archive/archive-reader';
import { backedUpTables } from '../archive/table-digest';
import { SQLITE_PART } from '../create-backup';
import { verifyArchive } from '../verify';
import { extractPart, requireKnownSchema } from './restore-archive';
import { ndjsonRows } from './table-loading';

type Extent = { first: number; last: number; count: number };
/** Extents by `symbol\ttimeframe`. */
type Extents = Map<string, Extent>;

const DAY_MS = 86_400_000;
const YEAR_MS = 365 * DAY_MS;
const keyOf = (symbol: string, timeframe: string) => `${symbol}\t${timeframe}`;

function widen(extents: Extents, key: string, first: number, last: number, count: number): void {
  const known = extents.get(key);
  extents.set(key, known ? { first: Math.min(known.first, first), last: Math.max(known.last, last), count: known.count + count } : { first, last, count });
}

const plural = (count: number, unit: string) => `${count.toLocaleString('en-US')} ${unit}${count === 1 ? '' : 's'}`;
const yearOf = (time: number) => new Date(time).getUTCFullYear();

/** A stretch of time as a trader reads it: whole years when it spans a year or more, else days, hours or minutes. */
export function describeSpan(from: number, to: number): string {
  const length = to - from;
  if (length >= YEAR_MS) return yearOf(from) === yearOf(to) ? String(yearOf(from)) : `${yearOf(from)}–${yearOf(to)}`;
  if (length >= DAY_MS) return plural(Math.round(length / DAY_MS), 'day');
  if (length >= 3_600_000) return plural(Math.round(length / 3_600_000), 'hour');
  return plural(Math.max(1, Math.round(length / 60_000)), 'minute');
}

/**
 * The sentence for one series whose extent differs between now and the archive: what a
 * restore loses or gains at either end, or how many bars within the same span; null when
 * the extents are the same.
 */
export function describeChange(symbol: string, timeframe: string, current: Extent | null, archive: Extent | null): string | null {
  const series = `${symbol} ${timeframe} bars`;
  if (current === null && archive === null) return null;
  if (archive === null) return `you lose all ${plural(current!.count, 'bar')} of ${symbol} ${timeframe} (${describeSpan(current!.first, current!.last)})`;
  if (current === null) return `you gain ${describeSpan(archive.first, archive.last)} of ${series} (${plural(archive.count, 'bar')})`;
  const ends: { verb: 'lose' | 'gain'; span: string; where: string }[] = [];
  if (archive.first !== current.first) {
    ends.push({ verb: archive.first < current.first ? 'gain' : 'lose', span: describeSpan(Math.min(archive.first, current.first), Math.max(archive.first, current.first)), where: 'at the start' });
  }
  if (archive.last !== current.last) {
    ends.push({ verb: archive.last > current.last ? 'gain' : 'lose', span: describeSpan(Math.min(archive.last, current.last), Math.max(archive.last, current.last)), where: 'at the end' });
  }
  if (ends.length === 0) {
    if (archive.count === current.count) return null;
    const verb = archive.count > current.count ? 'gain' : 'lose';
    return `you ${verb} ${plural(Math.abs(archive.count - current.count), 'bar')} of ${symbol} ${timeframe} within ${describeSpan(current.first, current.last)}`;
  }
  const [first, second] = ends;
  if (!second) return `you ${first!.verb} ${first!.span} of ${series}`;
  return `you ${first!.verb} ${first!.span} of ${series} ${first!.where} and ${second.verb === first!.verb ? '' : `${second.verb} `}${second.span} ${second.where}`;
}

/** The archive's bars per series: from the SQLite copy opened read-only, or the market_data part streamed once. */
async function archiveExtents(archive: OpenedArchive, nativeBinding: string | undefined): Promise<Extents> {
  const extents: Extents = new Map();
  if (archive.manifest.database === 'sqlite') {
    const scratch = await mkdtemp(path.join(os.tmpdir(), 'metalytics-preview-'));
    try {
      const copy = path.join(scratch, 'metalytics.sqlite');
      await extractPart(archive, archive.manifest.parts.find((p) => p.name === SQLITE_PART)!, copy);
      const db = new Database(copy, { readonly: true, fileMustExist: true, ...(nativeBinding === undefined ? {} : { nativeBinding }) });
      try {
        const rows = db.prepare('SELECT symbol, timeframe, min(time) AS first, max(time) AS last, count(*) AS count FROM market_data GROUP BY symbol, timeframe').all() as {
          symbol: string;
          timeframe: string;
          first: number;
          last: number;
          count: number;
        }[];
        for (const row of rows) widen(extents, keyOf(row.symbol, row.timeframe), row.first, row.last, row.count);
      } finally {
        db.close();
      }
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
    return extents;
  }
  const shape = backedUpTables.find((s) => s.name === 'market_data')!;
  const [symbol, timeframe, time] = ['symbol', 'timeframe', 'time'].map((name) => shape.columns.findIndex((c) => c.name === name));
  for await (const batch of ndjsonRows(archive, shape)) {
    for (const row of batch) {
      const at = row[time!] as number;
      widen(extents, keyOf(row[symbol!] as string, row[timeframe!] as string), at, at, 1);
    }
  }
  return extents;
}

/** Rows per backed-up table in the live database. */
async function currentTableRows(ctx: Pick<CoreContext, 'storage' | 'ports'>): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const { snapshot } = ctx.storage;
  const statement = (table: string) => `SELECT count(*) AS count FROM "${table}"`;
  if (snapshot.dialect === 'postgres') {
    await snapshot.read(async (query) => {
      for (const shape of backedUpTables) counts.set(shape.name, Number((await query(statement(shape.name)))[0]!.count));
    });
    return counts;
  }
  const { sqliteNativeBinding } = ctx.ports.config;
  const db = new Database(ctx.storage.location, { readonly: true, fileMustExist: true, ...(sqliteNativeBinding === undefined ? {} : { nativeBinding: sqliteNativeBinding }) });
  try {
    for (const shape of backedUpTables) counts.set(shape.name, Number((db.prepare(statement(shape.name)).get() as { count: number }).count));
  } finally {
    db.close();
  }
  return counts;
}

/** The archive's models, settings and secrets, in words. */
function alsoRestored(archive: OpenedArchive): string[] {
  const models = archive.manifest.parts.filter((p) => p.kind === 'model').length;
  return [
    models === 0 ? 'no model files' : plural(models, 'model file'),
    ...(archive.manifest.parts.some((p) => p.kind === 'settings') ? ['settings'] : []),
    archive.manifest.secrets ? 'secrets (sealed)' : 'no secrets',
  ];
}

/**
 * Verifies the archive and says what restoring it would replace: per instrument and timeframe
 * the extents now and in the archive (only those that differ, with a sentence), rows per
 * differing table, and what else comes with it. Changes nothing. An archive that fails its
 * verification answers its report alone; a newer schema is refused as the restore would.
 */
export async function previewRestore(ctx: Pick<CoreContext, 'storage' | 'ports'>, source: { path: string; passphrase?: string }): Promise<RestorePreview> {
  const { sqliteNativeBinding, migrationsDir } = ctx.ports.config;
  const report = await verifyArchive(source.path, { passphrase: source.passphrase, sqliteNativeBinding });
  if (!report.ok) return { report, changes: [], tables: [], alsoRestored: [] };
  const archive = await openArchive(source.path);
  requireKnownSchema(archive.manifest, migrationsDir);

  const current: Extents = new Map();
  for (const c of await ctx.storage.marketData.coverage()) widen(current, keyOf(c.symbol, c.timeframe), c.first, c.last, c.count);
  const archived = await archiveExtents(archive, sqliteNativeBinding);
  const changes: RestoreChange[] = [...new Set([...current.keys(), ...archived.keys()])]
    .sort()
    .map((key) => {
      const [symbol, timeframe] = key.split('\t') as [string, string];
      const now = current.get(key) ?? null;
      const then = archived.get(key) ?? null;
      return { symbol, timeframe, current: now, archive: then, sentence: describeChange(symbol, timeframe, now, then) };
    })
    .filter((change) => change.sentence !== null);

  const rowsNow = await currentTableRows(ctx);
  const rowsThen = new Map(archive.manifest.tables.map((t) => [t.name, t.rows]));
  const tables = [...new Set([...rowsNow.keys(), ...rowsThen.keys()])]
    .sort()
    .map((name) => ({ name, current: rowsNow.get(name) ?? 0, archive: rowsThen.get(name) ?? 0 }))
    .filter((t) => t.current !== t.archive);
  return { report, changes, tables, alsoRestored: alsoRestored(archive) };
}
