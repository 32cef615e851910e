/** @jsxRuntime automatic @jsxImportSource react */
import { type LiveView, liveLines } from './layout.ts';
import { Lines } from './Lines.tsx';

/**
 * The live area while the run goes: the running suite, a progress bar per model, and a status
 * line; each line cut at the terminal's width and the whole kept below its height (liveLines).
 */
export function LiveSuite(props: LiveView) {
  return <Lines lines={liveLines(props)} marginTop={1} truncate />;
}
