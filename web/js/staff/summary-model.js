// What the summary page shows, computed from the report (`GET /api/v1/reports/summary`) and
// the category filter: totals by state, a row per district and category with subtotals, and
// the chart's bars. Pure: no DOM.

import { CATEGORIES, STATES } from "../labels.js";

const zeros = (states) => Object.fromEntries(states.map((s) => [s, 0]));
export const sum = (counts) => Object.values(counts || {}).reduce((a, b) => a + b, 0);

/** {states, cats, totals, districts: [{district, rows: [{category, counts}], subtotal}], chart: {labels, series}}. */
export function summaryModel(report, category) {
  const states = Object.keys(STATES);
  const cats = category ? [category] : Object.keys(CATEGORIES);
  const countsOf = (d, c) => (d.categories && d.categories[c]) || {};
  const totals = zeros(states);
  const districts = report.districts.map((d) => {
    const subtotal = zeros(states);
    const rows = cats.map((c) => {
      const counts = countsOf(d, c);
      for (const s of states) {
        subtotal[s] += counts[s] || 0;
        totals[s] += counts[s] || 0;
      }
      return { category: c, counts };
    });
    return { district: d.district, rows, subtotal };
  });
  const chart = {
    labels: districts.map((d) => d.district),
    series: states.map((s) => ({ state: s, data: districts.map((d) => d.subtotal[s]) })),
  };
  return { states, cats, category, totals, districts, chart };
}
