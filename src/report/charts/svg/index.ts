/**
 * Rendering chart specs to SVG. Its own folder because it loads Vega (a large import): the chart
 * specs (report/charts) stay cheap, and callers import this one lazily where a command may not
 * render at all.
 */
export { renderSvg } from './render-svg.ts';
