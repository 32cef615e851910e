import { fileURLToPath } from 'node:url';

/**
 * Whether the harness runs from its source (src/, under vitest) or compiled (dist/src/, see
 * bin/compile.js), and so the package's root folder (where package.json and suites/ are): one
 * folder up from src/, two from dist/src/.
 */
export const FROM_SOURCE = import.meta.url.endsWith('.ts');

/** See {@link FROM_SOURCE}. */
export const PACKAGE_ROOT = fileURLToPath(new URL(FROM_SOURCE ? '../' : '../../', import.meta.url));
