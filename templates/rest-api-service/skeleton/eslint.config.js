import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(globalIgnores(['dist/']), js.configs.recommended, {
  files: ['**/*.ts'],
  extends: [tseslint.configs.recommendedTypeChecked],
  languageOptions: {
    parserOptions: { projectService: true },
  },
  rules: {
    // Fastify handlers and hooks are async by convention, whether or not they await.
    '@typescript-eslint/require-await': 'off',
    // node:test runs the promises test() returns itself.
    '@typescript-eslint/no-floating-promises': [
      'error',
      {
        allowForKnownSafeCalls: [
          {
            from: 'package',
            package: 'node:test',
            name: ['test', 'describe', 'it'],
          },
        ],
      },
    ],
  },
});
