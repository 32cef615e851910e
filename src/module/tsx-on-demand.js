// How the compiled harness's entries (bin/harness.js, the scoring workers' entry) let a thread
// load TypeScript: tsx's ESM hook is registered when the first user module is imported
// (load-user-module.ts calls what this leaves on globalThis), not at start, since every module
// loaded after it goes through the hook's thread and the harness's own modules, loaded before,
// do not. Plain JavaScript: it runs before anything could compile TypeScript.

/**
 * Leaves on globalThis the function that registers tsx's ESM hook in this thread, after
 * importing the public API at `publicApi` natively: a user's `import 'bess-harness'` then finds
 * it loaded (one copy of the harness per thread).
 */
export function registerTsxOnDemand(publicApi) {
  globalThis[Symbol.for('bess-harness.tsx-hook')] = async () => {
    await import(publicApi.href);
    const { register } = await import('tsx/esm/api');
    register();
  };
}
