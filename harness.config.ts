import { defineConfig } from './src/index.ts';

// The project's own harness config. Every field is optional; these are the defaults spelled out.
export default defineConfig({
  dataDir: 'data',
  scenario: 'default',
});
