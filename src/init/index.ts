/**
 * `harness init`: scaffolding a new project.
 */
export { type ExistingConfig, type InitEntry, scaffoldProject } from './scaffold.ts';
