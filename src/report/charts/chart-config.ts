/**
 * House style shared by every chart so that reports look like one product. Its own module so
 * that building a chart spec does not load Vega; only rendering one does (render-svg.ts).
 */
export const CHART_CONFIG = {
  font: 'Helvetica, Arial, sans-serif',
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#e5e7eb' },
  title: { fontSize: 14, anchor: 'start' as const },
  background: 'white',
};
