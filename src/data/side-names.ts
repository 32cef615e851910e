/**
 * Names of the work folders the harness keeps beside a data folder it replaces: generate's and
 * import's staging folders, `.<name>.staging-<pid>-<hex>`, the pid being the writer's, so that a
 * later start can tell a dead writer's leftovers from a live one's (process-alive.ts).
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';

/** `s` with the characters a RegExp reads specially escaped. */
export const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A new staging folder's path beside `target`, named for this process. */
export function stagingPathFor(target: string): string {
  return path.join(
    path.dirname(target),
    `.${path.basename(target)}.staging-${process.pid}-${randomBytes(4).toString('hex')}`,
  );
}

/** Matches the staging folders beside a target named `name`; group 1 is the writer's pid. */
export function stagingPattern(name: string): RegExp {
  return new RegExp(`^\\.${escapeRegExp(name)}\\.staging-(\\d+)-[0-9a-f]+$`);
}
