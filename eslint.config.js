// @ts-check
import fs from 'node:fs';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const modules = fs
  .readdirSync('src/modules', { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);

/**
 * A module reaches another module through its service, never its repository: the repository's SQL
 * and the rules around it belong to the module that owns the tables.
 */
const ownRepositoriesOnly = modules.map((name) => ({
  files: [`src/modules/${name}/**/*.ts`],
  ignores: ['**/*.test.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            regex: `^\\.\\./(?!${name}/)[^/]+/[^/]*-repository(\\.ts)?$`,
            message: 'Use that module’s service: a module’s repository is its own.',
          },
        ],
      },
    ],
  },
}));

/** Routes are thin: they reach services, not the database. */
const routesReachServices = {
  files: ['src/modules/**/*-routes.ts', 'src/modules/**/index.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          { regex: '-repository(\\.ts)?$', message: 'Routes call services; services call repositories.' },
          // Types and the enum values in db/schema are fine; the connection is not.
          { regex: '/db/client(\\.ts)?$', allowTypeImports: true, message: 'Routes call services, which own the SQL.' },
          { regex: '^drizzle-orm', message: 'Routes call services, which own the SQL.' },
        ],
      },
    ],
  },
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'bench/results/**', 'src/public/**', 'coverage/**', 'dist/**', 'dist.*/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-console': 'off',
    },
  },
  ...ownRepositoriesOnly,
  routesReachServices,
);
