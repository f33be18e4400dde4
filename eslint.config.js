import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import security from 'eslint-plugin-security';

export default tseslint.config(
  { ignores: ['dist/', 'build/', 'coverage/', '.tools/', 'node_modules/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  security.configs.recommended,
  {
    rules: {
      // certfleet's job is to read and write files the config names (store, secrets, deploy
      // targets): every fs call would be flagged. Paths from configs are validated instead.
      'security/detect-non-literal-fs-filename': 'off',
      // Flags every obj[key]; with noUncheckedIndexedAccess and Map/Record lookups it is noise.
      'security/detect-object-injection': 'off',
    },
  },
  {
    // Test servers and fakes build patterns from what a test gives them.
    files: ['test/support/*.ts', 'test/chaos/support/*.ts'],
    rules: { 'security/detect-non-literal-regexp': 'off', 'security/detect-unsafe-regex': 'off' },
  },
  {
    languageOptions: { globals: globals.node, parserOptions: { projectService: { allowDefaultProject: ['*.js', '*.ts', 'scripts/*.mjs', 'test/fixtures/*.mjs'], maximumDefaultProjectFileMatchCount_THIS_WILL_SLOW_DOWN_LINTING: 40 }, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      // Omitting fields with a rest pattern (`const { secret: _s, ...rest } = x`) is the idiom.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true, varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'named exports only' }],
    },
  },
  {
    files: ['**/*.test.ts', 'scripts/*.mjs', 'test/fixtures/*.mjs', 'eslint.config.js', 'vitest.config.ts'],
    rules: { 'security/detect-non-literal-regexp': 'off', 'security/detect-unsafe-regex': 'off', 'no-restricted-syntax': 'off', '@typescript-eslint/no-unsafe-assignment': 'off', '@typescript-eslint/no-unsafe-member-access': 'off', '@typescript-eslint/no-unsafe-argument': 'off', '@typescript-eslint/no-unsafe-call': 'off', '@typescript-eslint/no-unsafe-return': 'off' },
  },
);
