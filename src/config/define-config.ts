import type { UserConfig } from './types.ts';

/** Identity helper: returns its argument, so that harness.config.ts is type-checked. */
export function defineConfig(config: UserConfig): UserConfig {
  return config;
}
