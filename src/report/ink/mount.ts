import { render, type Instance } from 'ink';
import { createElement } from 'react';
import { App } from './App.tsx';
import type { InkStore } from './store.ts';

/** Renders the app for `store` to `stdout`; Ink's own console patching is off (plugins may log). */
export function mountApp(store: InkStore, stdout: NodeJS.WriteStream, weakest: number): Instance {
  return render(createElement(App, { store, weakest }), { stdout, patchConsole: false });
}
