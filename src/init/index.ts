/**
 * `harness init`: scaffolding a new project.
 */
export { type InitEntry, scaffoldProject } from './scaffold.ts';
