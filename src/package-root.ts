import { fileURLToPath } from 'node:url';

/**
 * The package's root folder (where package.json and suites/ are). The harness runs compiled, from
 * dist/src/ (bin/compile.js), and, under vitest, from src/: one folder deeper or not.
 */
export const PACKAGE_ROOT = fileURLToPath(
  new URL(import.meta.url.endsWith('.ts') ? '../' : '../../', import.meta.url),
);
