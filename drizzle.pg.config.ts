import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/core/storage/schema.pg.ts',
  out: './db/migrations/pg',
});
