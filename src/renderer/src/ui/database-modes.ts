import type { DatabaseMode } from '../../../shared/domain';

/** How the status bar and Settings name the database in use. */
export const databaseModeNames: Record<DatabaseMode, string> = {
  sqlite: 'SQLite',
  postgres: 'Postgres',
  timescaledb: 'TimescaleDB',
};
