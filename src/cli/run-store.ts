import path from 'node:path';
import chalk from 'chalk';
import { loadConfig } from '../config/index.ts';
import type { ResolvedConfig } from '../config/types.ts';
import { listRuns, type RunList } from '../track/index.ts';
import { displayPath } from './output.ts';

/**
 * The run store of `--runs-dir` or the config's runsDir. Run folders that cannot be read are
 * named on stderr and left out (they never stop the rest of the history from being listed).
 */
export async function openStore(
  runsDirFlag: string | undefined,
  config?: Pick<ResolvedConfig, 'runsDir'> | null,
): Promise<RunList> {
  const runsDir =
    runsDirFlag !== undefined
      ? path.resolve(runsDirFlag)
      : (config ?? (await loadConfig())).runsDir;
  const list = await listRuns(runsDir);
  for (const u of list.unreadable)
    process.stderr.write(
      `${chalk.yellow('warning:')} skipped ${displayPath(u.dir)}: ${u.reason}\n`,
    );
  for (const w of list.warnings) process.stderr.write(`${chalk.yellow('warning:')} ${w}\n`);
  return list;
}
