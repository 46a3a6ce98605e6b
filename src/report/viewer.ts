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
        var y = chart.scales[meta.yAxisID];
        meta.data.forEach(function (bar, i) {
          var w = ds.whiskers[i];
          if (!w) return;
          var x = bar.x, half = Math.max(4, Math.min(14, bar.width * 0.18));
          var y1 = y.getPixelForValue(w.from), y2 = y.getPixelForValue(w.to);
          ctx.save();
          ctx.strokeStyle = '#333';
          ctx.lineWidth = 1.5;
          ctx.beginPath();
          ctx.moveTo(x, y1); ctx.lineTo(x, y2);
          ctx.moveTo(x - half, y2); ctx.lineTo(x + half, y2);
          if (w.from !== undefined && w.mark === undefined) { ctx.moveTo(x - half, y1); ctx.lineTo(x + half, y1); }
          ctx.stroke();
          if (w.mark !== undefined) {
            var ym = y.getPixelForValue(w.mark);
            ctx.lineWidth = 3;
            ctx.beginPath(); ctx.moveTo(x - half * 0.7, ym); ctx.lineTo(x + half * 0.7, ym); ctx.stroke();
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
