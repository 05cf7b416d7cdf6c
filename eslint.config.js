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

/** Features get what they use from the CoreContext they are given; only the shells import the module that assembles the core. */
const compositionRoot = { regex: '^(\\.\\./)+create-core$', message: 'Take CoreContext from core/context.ts; create-core.ts is for the shells.' };

const source = (folder) => [`src/${folder}/**/*.{ts,tsx,js,mjs}`];

/**
 * Inside the renderer the shell (app/) places the screens (features/), which use charts/, ui/
 * and api/; each of those uses only the folders after it in that list. A later config replaces
 * an earlier one's options for the same rule, so each folder repeats the renderer's own limits.
 */
const rendererImports = (...folderPatterns) => ({
  'no-restricted-imports': [
    'error',
    {
      paths: nodeBuiltins,
      patterns: [
        electron,
        nodeScheme,
        layers(['core', 'main', 'preload', 'server', 'cli'], 'The renderer talks only to window.metalytics; types come from src/shared.'),
        ...folderPatterns,
      ],
    },
  ],
});
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
            compositionRoot,
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
  { files: source('renderer'), ignores: tests, rules: rendererImports() },
  {
    files: source('renderer/src/features'),
    ignores: tests,
    rules: rendererImports(layers(['app'], 'The shell in app/ places the screens, not the other way round; what screens share lives in ui/.')),
  },
  {
    files: source('renderer/src/charts'),
    ignores: tests,
    rules: rendererImports(layers(['app', 'features'], 'Charts draw what they are given; what they need from a screen belongs in charts/ or ui/.')),
  },
  {
    files: source('renderer/src/ui'),
    ignores: tests,
    rules: rendererImports(layers(['app', 'features', 'charts'], 'Shared UI serves the shell, the screens and the charts, and uses none of them.')),
  },
  {
    files: source('renderer/src/api'),
    ignores: tests,
    rules: rendererImports(layers(['app', 'features', 'charts', 'ui'], 'The API client knows the contract, not the screens that call it.')),
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
