import { builtinModules } from 'node:module';
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * Import boundaries per process (see ARCHITECTURE.md, Process model): each file may import
 * only what exists where it runs. Relative imports are matched by the first folder after the
 * leading `../` segments, so a folder inside a layer must not reuse a layer's name
 * (core, main, preload, renderer, server, cli).
 */
const electron = { regex: '^electron(/|$)', message: 'Only src/main and src/preload run inside Electron.' };
const nodeScheme = { regex: '^node:', message: 'Node built-ins do not exist in this process.' };
const nodeBuiltins = builtinModules
  .filter((name) => !name.startsWith('_'))
  .map((name) => ({ name, message: 'Node built-ins do not exist in this process.' }));
const layers = (names, message) => ({ regex: `^(\\.\\./)+(${names.join('|')})(/|$)`, message });

const source = (folder) => [`src/${folder}/**/*.{ts,tsx,js,mjs}`];
const tests = ['**/*.test.ts', '**/*.test.tsx'];

export default defineConfig(
  globalIgnores(['out/', 'dist/', 'node_modules/', 'db/', 'coverage/', 'test-results/', 'bench-results/']),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: source('renderer'),
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: source('core'),
    ignores: tests,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            electron,
            layers(['main', 'preload', 'renderer', 'server', 'cli'], 'The core knows nothing of the shells around it; shells pass ports to createCore.'),
          ],
        },
      ],
    },
  },
  {
    files: source('shared'),
    ignores: tests,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins,
          patterns: [
            electron,
            nodeScheme,
            layers(['core', 'main', 'preload', 'renderer', 'server', 'cli'], 'src/shared is imported by every process and imports none of them.'),
          ],
        },
      ],
    },
  },
  {
    files: source('renderer'),
    ignores: tests,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins,
          patterns: [
            electron,
            nodeScheme,
            layers(['core', 'main', 'preload', 'server', 'cli'], 'The renderer talks only to window.metalytics; types come from src/shared.'),
          ],
        },
      ],
    },
  },
  {
    files: source('preload'),
    ignores: tests,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!electron$|\\./|\\.\\./shared/)',
              message: 'The sandboxed preload may import only electron, its own files and src/shared.',
            },
          ],
        },
      ],
    },
  },
);
