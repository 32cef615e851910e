import path from 'node:path';
import { HarnessError } from '../../errors.ts';
import { stopOnSignal } from '../../exit-signals.ts';
import { loadConfig } from '../../config/index.ts';
import { describeLayout, finishInterruptedImport, selectSources } from '../../data/index.ts';
import { readTimelines, startLabelServer } from '../../label/index.ts';
import { intFlag, parseCommandArgs } from '../args.ts';
import { displayPath } from '../output.ts';
import type { Command } from './index.ts';

const USAGE = `Usage: harness label [--port 5173] [--host 127.0.0.1] [--allow-host NAME]… [--data DIR]
                     [--results FILE]

Serves the labeling web app: the systems of every source (filter, search, the sample queue),
a zoomable plot of each system's telemetry and a form that writes the labels file of the
system's source, data/real/labels.csv or data/synthetic/labels.csv (atomically, bumping
label_version), and appends every change to labels.history.csv beside it.
Binds to 127.0.0.1 unless --host says otherwise; --port 0 picks a free port. Ctrl+C stops it.
It answers only to requests addressed to its own names (loopback, the --host address, and each
--allow-host NAME, e.g. the machine's DNS name when bound to 0.0.0.0 or a reverse proxy's name;
at any port or none, NAME:PORT at that port): other names get 421.
With --results FILE (a run's results.json, e.g. .harness/last-run/results.json), a system the
run kept a score timeline of (a model with scoreOverTime) shows it under its telemetry: the
score, the threshold, the alarms, the onset and the failure.

Keys: j/k next/previous system · n normal · a anomaly · 1–6 failure type · s or Ctrl+Enter save
· / search · r reset zoom · ←/→ pan`;

export const labelCommand: Command = {
  usage: USAGE,
  summary: 'serve the labeling web app (plots, label form, history) on 127.0.0.1',
  async run(argv) {
    const { values } = parseCommandArgs(
      'label',
      argv,
      {
        port: { type: 'string', default: '5173' },
        host: { type: 'string', default: '127.0.0.1' },
        'allow-host': { type: 'string', multiple: true },
        data: { type: 'string' },
        results: { type: 'string' },
      },
      USAGE,
    );
    const port = intFlag('port', values.port, 0) ?? 5173;
    if (port > 65535)
      throw new HarnessError('E_ARGS', `--port must be at most 65535 (got "${values.port}")`);
    const host = values.host ?? '127.0.0.1';
    const dataDir = values.data ? path.resolve(values.data) : (await loadConfig()).dataDir;
    await finishInterruptedImport(dataDir); // what a killed import left half swapped
    selectSources(describeLayout(dataDir), 'all'); // no data folder, or nothing in it: say so and exit 2
    const timelines =
      values.results === undefined ? undefined : await readTimelines(path.resolve(values.results));
    const app = await startLabelServer({
      dataDir,
      host,
      port,
      allowHosts: values['allow-host'] ?? [],
      ...(timelines ? { timelines } : {}),
    });
    process.stdout.write(
      `harness label: labeling ${displayPath(dataDir)} at ${app.url}\n(Ctrl+C to stop)\n`,
    );
    if (timelines && timelines.count === 0)
      process.stderr.write(
        `harness label: warning: ${displayPath(timelines.file)} has no score timelines (no model of that run scores over time)\n`,
      );
    if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1') {
      process.stderr.write(
        `harness label: warning: listening on ${host}; anyone who can reach it can change labels\n`,
      );
    }
    // Ctrl+C or SIGTERM closes the server (a save in progress finishes) and the command ends 0;
    // a second one exits at once.
    await new Promise<void>((resolve) => {
      stopOnSignal(() => {
        app.close().then(resolve, resolve);
      });
    });
    process.stdout.write('harness label: stopped\n');
    return 0;
  },
};
