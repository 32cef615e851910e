import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  // Tests run the harness from source: `bess-harness` (the repository's suites and scenarios
  // import it by name) is src/, as tsconfig's bess-harness-source condition says, not the
  // compiled dist/ the package exports.
  resolve: {
    alias: [
      { find: /^bess-harness$/, replacement: root('./src/index.ts') },
      { find: /^bess-harness\/vitest$/, replacement: root('./src/vitest/index.ts') },
      { find: /^bess-harness\/plugins\/([a-z0-9-]+)$/, replacement: root('./plugins/$1/index.ts') },
    ],
  },
  test: {
    globalSetup: ['test/helpers/global-setup.ts'],
    setupFiles: ['test/helpers/setup-file.ts'],
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // Integration tests spawn the CLI; give them room on a 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Child processes (each test's job: the CLI, mlflow, chromium), one per worker file.
    pool: 'forks',
    // vitest's default is one worker less than the cores: 1 on a 2-core machine, where most
    // test time is spent waiting for a spawned CLI, an MLflow server or a browser. Two files
    // at once keep both cores busy.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // A worker keeps the modules it imported from one file to the next (Vega, Ink, the
    // harness itself) instead of importing them again per file. Tests restore what they
    // change (chalk.level, stubbed env): unstubEnvs is the safety net.
    isolate: false,
    unstubEnvs: true,
  },
});
