// Flat config: typescript-eslint's recommended rules plus the checks that matter for a server
// (floating promises crash or silently drop work).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '.cache/**', 'test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      globals: globals.node,
      // one program for the whole repository (the root tsconfig includes every workspace): per-workspace
      // programs would each load the same dependency types again
      parserOptions: { project: ['./tsconfig.json'], tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration through @cadence/shared/config.' },
      ],
    },
  },
  // the config module is the one reader of the environment; tests and benches set up child processes
  { files: ['shared/src/config/env.ts', 'test/**', 'bench/**', '**/*.test.ts'], rules: { 'no-restricted-properties': 'off' } },
  { files: ['**/*.js'], languageOptions: { globals: globals.node } },
);
