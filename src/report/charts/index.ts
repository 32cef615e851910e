/**
 * Chart specs (Vega-Lite), a leaf: they read metric and chart data types only. Rendering them to
 * SVG loads Vega and lives in charts/svg.
 */
export { labelDistributionChart } from './label-distribution-chart.ts';
export { signatureChart } from './signature-chart.ts';
export { isModelChartFile, modelChartFileName, modelCharts } from './model-charts.ts';
export { warningTimeChart, warningTimeData } from './warning-time-chart.ts';
export { scoreTimelineChart, scoreTimelineData } from './score-timeline-chart.ts';
