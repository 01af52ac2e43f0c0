// Satchel demo: refreshes the cache counters on the page from /stats, every 2 seconds while visible.
// Served from the demo itself (Content-Security-Policy: script-src 'self'); the page works without it.
'use strict';
(function () {
  const table = document.getElementById('cache-stats');
  const status = document.getElementById('cache-stats-status');
  if (!table || !status) {
    return;
  }
  function format(key, value) {
    if (key === 'hitRate') {
      return (value * 100).toFixed(1) + ' %';
    }
    if (key === 'averageLoadMillis') {
      return value.toFixed(3) + ' ms';
    }
    return String(value);
  }
  async function refresh() {
    if (document.hidden) {
      return;
    }
    try {
      const response = await fetch('/stats', { cache: 'no-store', credentials: 'omit' });
      if (!response.ok) {
        throw new Error('HTTP ' + response.status);
      }
      const stats = await response.json();
      for (const cell of table.querySelectorAll('[data-stat]')) {
        const value = stats[cell.dataset.stat];
        if (typeof value === 'number') {
          cell.textContent = format(cell.dataset.stat, value);
        }
      }
      status.textContent = 'Updated at ' + new Date().toLocaleTimeString() + '.';
    } catch (e) {
      status.textContent = 'Could not read /stats (' + e.message + '); showing the last values.';
    }
  }
  setInterval(refresh, 2000);
}());
