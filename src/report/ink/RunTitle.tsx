/** @jsxRuntime automatic @jsxImportSource react */
import chalk from 'chalk';
import { Text } from 'ink';

/** `harness run · 3 suites`, printed once when the suites are collected. */
export function RunTitle({ suites }: { readonly suites: number }) {
  return <Text>{chalk.bold(`harness run · ${suites} suite${suites === 1 ? '' : 's'}`)}</Text>;
}
