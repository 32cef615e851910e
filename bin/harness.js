#!/usr/bin/env node
// The `harness` command. The harness ships as TypeScript source (no build step to forget):
// tsx's loader hooks are registered in this process so the CLI, user configs, suites and
// plugins written in TypeScript are imported directly.
import { register } from 'tsx/esm/api';

register();
// Told to the user-module loader (src/module): ES modules can go through this hook.
globalThis[Symbol.for('bess-harness.tsx-hook')] = true;
await import('../src/cli/main.ts');
