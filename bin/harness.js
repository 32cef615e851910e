#!/usr/bin/env node
// The `harness` command. The harness ships as TypeScript source (no build step to forget):
// tsx's loader hooks are registered in this process so the CLI, user configs, suites and
// plugins written in TypeScript are imported directly.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
