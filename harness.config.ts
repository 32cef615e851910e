import { defineConfig } from 'bess-harness';

// The project's own harness config. Every field is optional: dataDir and scenario are the defaults
// spelled out. `models` adds a model written in Python (examples/python-iforest), run as a process
// speaking the process protocol (docs/process-protocol.md) from the venv that `npm ci` makes
// (.ci/setup-python, run by npm's `prepare`).
export default defineConfig({
  dataDir: 'data',
  scenario: 'default',
  models: {
    iforest: {
      command: ['.venv-python/bin/python', '-m', 'iforest'],
      cwd: 'examples/python-iforest',
      version: '1',
    },
  },
});
