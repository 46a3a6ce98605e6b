/**
 * The static viewer: browser code (as text, inlined into the page) that turns the ChartSpec data
 * into chart.js charts. The only behaviour beyond chart.js itself is the whisker plugin, drawn
 * with canvas primitives, and tooltips that show the extra figures.
 */
export const VIEWER_JS = String.raw`
(function () {
  var specs = JSON.parse(document.getElementById('disco-charts').textContent);
  Chart.defaults.animation = false;
  Chart.defaults.responsive = true;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif';
  var whiskers = {
    id: 'whiskers',
    afterDatasetsDraw: function (chart) {
      var ctx = chart.ctx;
      chart.data.datasets.forEach(function (ds, di) {
        if (!ds.whiskers) return;
        var meta = chart.getDatasetMeta(di);
        var horizontal = chart.options.indexAxis === 'y';
        var scale = chart.scales[horizontal ? meta.xAxisID : meta.yAxisID];
        // draws in (along, across) coordinates so one code path serves both orientations
        function line(a1, c1, a2, c2) {
          if (horizontal) { ctx.moveTo(a1, c1); ctx.lineTo(a2, c2); } else { ctx.moveTo(c1, a1); ctx.lineTo(c2, a2); }
        }
        meta.data.forEach(function (bar, i) {
          var w = ds.whiskers[i];
          if (!w) return;
          var c = horizontal ? bar.y : bar.x;
          var half = Math.max(4, Math.min(14, (horizontal ? bar.height : bar.width) * 0.3));
          var a1 = scale.getPixelForValue(w.from), a2 = scale.getPixelForValue(w.to);
          ctx.save();
          ctx.strokeStyle = '#333';
          ctx.lineWidth = 1.5;
          ctx.beginPath();
          line(a1, c, a2, c);
          line(a2, c - half, a2, c + half);
          if (w.mark === undefined) line(a1, c - half, a1, c + half);
          ctx.stroke();
          if (w.mark !== undefined) {
            var am = scale.getPixelForValue(w.mark);
            ctx.lineWidth = 3;
            ctx.beginPath(); line(am, c - half * 0.7, am, c + half * 0.7); ctx.stroke();
          }
          ctx.restore();
        });
      });
    }
  };
  specs.forEach(function (spec) {
    var canvas = document.getElementById('chart-' + spec.id);
    if (!canvas) return;
    var cfg = spec.config;
    cfg.plugins = [whiskers];
    cfg.options = cfg.options || {};
    cfg.options.devicePixelRatio = window.DISCO_DPR || window.devicePixelRatio || 1;
    cfg.options.plugins = cfg.options.plugins || {};
    cfg.options.plugins.legend = cfg.options.plugins.legend || {};
    cfg.options.plugins.legend.labels = {
      filter: function (item, data) { return !data.datasets[item.datasetIndex].hideInLegend; }
    };
    cfg.options.plugins.tooltip = {
      callbacks: {
        afterLabel: function (item) {
          var extra = item.dataset.tooltipExtra;
          return extra ? extra[item.dataIndex] : '';
        }
      }
    };
    new Chart(canvas, cfg);
  });
  document.body.setAttribute('data-charts-ready', String(specs.length));
})();
`;
