/**
 * The page's own script (plain ES2017, runs in the browser after the inlined vega and vega-lite
 * builds): compiles each chart's Vega-Lite spec and renders it as SVG into the chart's body.
 * When a chart is drawn its container gets `data-rendered="true"`, when it fails `data-error`
 * with the message (shown in place of the chart, too); `<body data-charts="done">` once every
 * chart has settled. Tests and people can both see what happened.
 */
export const CLIENT_SCRIPT = `(function () {
  'use strict';
  function render(el) {
    return Promise.resolve().then(function () {
      var source = el.querySelector('script.chart-spec');
      if (!source) throw new Error('the chart has no spec');
      var spec = JSON.parse(source.textContent);
      var vgSpec = vegaLite.compile(spec).spec;
      var view = new vega.View(vega.parse(vgSpec), { renderer: 'svg', container: el.querySelector('.chart-body'), hover: true });
      return view.runAsync();
    }).then(function () {
      el.setAttribute('data-rendered', 'true');
    }, function (err) {
      var message = err && err.message ? err.message : String(err);
      el.setAttribute('data-error', message);
      var body = el.querySelector('.chart-body');
      if (body) body.textContent = 'This chart could not be drawn: ' + message;
    });
  }
  var charts = Array.prototype.slice.call(document.querySelectorAll('.chart'));
  Promise.all(charts.map(render)).then(function () {
    document.body.setAttribute('data-charts', 'done');
  });
})();
`;
