import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'console/dist/', '.data/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'max-lines-per-function': ['warn', { max: 70, skipBlankLines: true, skipComments: true }],
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.name='parseFloat']", message: 'money is never a float: use parseMoney' },
        { selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']", message: 'the engine is deterministic: no Math.random' },
      ],
    },
  },
  { files: ['**/*.test.ts', 'bench/**'], rules: { 'max-lines-per-function': 'off' } },
  // The command's entry point is plain JavaScript run by Node.js.
  { files: ['bin/**/*.js'], languageOptions: { globals: { process: 'readonly' } } },
  // React components are mostly markup: their length says little.
  { files: ['console/src/**/*.tsx'], rules: { 'max-lines-per-function': 'off' } },
);
