/**
 * Runs before each test file (vitest.config.ts setupFiles): what every file needs after each of
 * its tests, registered per file because files share one module cache (isolate: false).
 */
import { afterEach } from 'vitest';
import { removeTempDirs } from '../unit/data/fixture.ts';

afterEach(removeTempDirs);
