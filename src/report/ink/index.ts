import type { Instance } from 'ink';
import type { Reporter } from '../../runner/index.ts';
import { runErrorLines, summaryLine } from '../plain.ts';
import { InkStore } from './store.ts';

/** Options of the ink reporter. */
export interface InkReporterOptions {
  /** Where the app renders. Default: process.stdout. */
  readonly stdout?: NodeJS.WriteStream;
  /** How many weakest strata to list per suite. Default 3. */
  readonly weakest?: number;
}

/**
 * A live terminal reporter shaped like vitest's: each finished suite printed once, the running
 * suite's models as progress bars, the summary at the bottom. The default on a terminal outside
 * CI; in CI or a pipe Ink prints only the final frame, so `plain` is the default there.
 */
export function inkReporter(options: InkReporterOptions = {}): Reporter {
  const store = new InkStore();
  let app: Promise<{ instance: Instance; exited: Promise<unknown> }> | null = null;
  let crashed: { error: unknown } | null = null;
  let ended = false;
  // Ink and React take ~0.6 s to import: load them on the first event, not with the registry,
  // so runs with other reporters do not pay for them.
  const mount = async (): Promise<Instance> => {
    app ??= import('./mount.ts').then((m) => {
      const instance = m.mountApp(store, options.stdout ?? process.stdout, options.weakest ?? 3);
      // Listen from the start: a render error unmounts the app and rejects this; the next hook
      // rethrows it, so a broken reporter fails the run instead of going quiet.
      const exited = instance.waitUntilExit();
      exited.catch((error: unknown) => (crashed = { error }));
      return { instance, exited };
    });
    const { instance } = await app;
    if (crashed) throw crashed.error;
    return instance;
  };
  return {
    async onSuiteCollected({ suites }) {
      await mount();
      store.collected(suites);
    },
    async onCaseStart({ suite, model, total }) {
      await mount();
      store.caseStart(suite, model, total);
    },
    async onCaseProgress({ suite, model, done, total }) {
      await mount();
      store.caseProgress(suite, model, done, total);
    },
    async onCaseResult({ result }) {
      await mount();
      store.caseResult(result);
    },
    async onSuiteResult({ result }) {
      await mount();
      store.suiteResult(result);
    },
    async onRunEnd({ result: run }) {
      // Rendered again (an error came after the run ended: a reporter after this one failed): the
      // app has exited with its last frame saying PASS, and a new frame would draw nothing. The
      // errors and the summary line are written below it, as plain writes them.
      if (ended) {
        const stdout = options.stdout ?? process.stdout;
        stdout.write(`\n${[...runErrorLines(run), summaryLine(run)].join('\n')}\n`);
        return;
      }
      await mount();
      // The app exits itself once the summary is committed (see Summary); Ink then writes the
      // final frame, unmounts, and resolves `exited` once stdout has taken the last write.
      store.runEnd(run);
      await (
        await app!
      ).exited;
      ended = true;
    },
  };
}
