// The module hooks of signal-at-import.mjs; they run on the loader's thread, and the signal is
// the process's, so the main thread's handlers receive it while its import is under way.
let re = null;
let signal = 'SIGTERM';
let sent = false;

export function initialize(data) {
  re = new RegExp(data.pattern);
  signal = data.signal;
}

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (!sent && re?.test(resolved.url)) {
    sent = true;
    process.kill(process.pid, signal);
  }
  return resolved;
}
