#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader, so `npx metalytics …` works from a checkout
// without a separate build step. Exit code and signals stay with this one process.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/index.ts');
