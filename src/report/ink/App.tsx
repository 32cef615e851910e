/** @jsxRuntime automatic @jsxImportSource react */
import { Static, useStdout } from 'ink';
import { useSyncExternalStore } from 'react';
import { columnsOf } from './layout.ts';
import { LiveSuite } from './LiveSuite.tsx';
import { RunTitle } from './RunTitle.tsx';
import type { InkStore } from './store.ts';
import { SuiteReport } from './SuiteReport.tsx';
import { Summary } from './Summary.tsx';

export interface AppProps {
  readonly store: InkStore;
  /** Terminal width to lay out for. Default: the output's `columns`, else 80. */
  readonly columns?: number;
  /** Terminal height the live area must stay below. Default: the output's `rows`, else none. */
  readonly rows?: number;
  /** How many weakest strata to list per suite. Default 3. */
  readonly weakest?: number;
}

/**
 * The run as vitest shows it: finished suites printed once above (`<Static>`), the running
 * suite live below them, and at the end the summary in its place.
 */
export function App({ store, columns, rows, weakest = 3 }: AppProps) {
  const state = useSyncExternalStore(store.subscribe, store.getSnapshot);
  const { stdout } = useStdout();
  const width = columns ?? columnsOf(stdout);
  const height = rows ?? (stdout.rows > 0 ? stdout.rows : undefined);
  return (
    <>
      <Static items={[...state.finished]}>
        {(item) =>
          item.kind === 'title' ? (
            <RunTitle key={item.key} suites={item.suites} />
          ) : (
            <SuiteReport key={item.key} suite={item.suite} columns={width} weakest={weakest} />
          )
        }
      </Static>
      {state.run ? (
        <Summary run={state.run} />
      ) : (
        <LiveSuite
          running={state.running}
          next={state.suites[state.suitesDone]}
          suitesDone={state.suitesDone}
          suitesTotal={state.suites.length}
          columns={width}
          rows={height}
        />
      )}
    </>
  );
}
