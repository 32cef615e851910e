/**
 * One loader for every user module (configs, suites, plugins, mappings, reporters).
 */
export { loadDefaultExport } from './load-user-module.ts';
