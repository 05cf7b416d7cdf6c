import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './src/core/storage/schema.sqlite.ts',
  out: './db/migrations/sqlite',
});
