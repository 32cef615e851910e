/** @jsxRuntime automatic @jsxImportSource react */
import { useApp } from 'ink';
import { useEffect } from 'react';
import type { RunResult } from '../../runner/types.ts';
import { runErrorLines, summaryLine } from '../plain.ts';
import { Lines } from './Lines.tsx';

/**
 * The last frame's bottom lines: the run's own errors, if any, then verdict, assertions,
 * baseline gates, cases, suites, time.
 * Once it is on screen the app exits (Ink then writes the final frame and unmounts), which is
 * what the reporter's `onRunEnd` waits for.
 */
export function Summary({ run }: { readonly run: RunResult }) {
  const { exit } = useApp();
  useEffect(() => exit(), [exit]);
  return <Lines lines={[...runErrorLines(run), summaryLine(run)]} marginTop={1} />;
}
