// City staff's live roll-up: stat cards, a district × category × state table whose counts
// link to the entries, and a stacked bar chart, refreshed in place (summary-model.js decides
// what they show).

import { get, query } from "../api.js";
import { CATEGORIES, STATES, fmtTime } from "../labels.js";
import { alertBox, h, mainArea, select } from "../ui.js";
import { districtOptions } from "./districts.js";
import { sum, summaryModel } from "./summary-model.js";

const REFRESH_MS = 5000;

export const STATE_COLOURS = {
  draft: "#9aa4b2",
  submitted: "#4a86e8",
  incomplete: "#f0a500",
  in_review: "#8e5cd9",
  eligible: "#2e9e68",
  ineligible: "#d9534f",
  withdrawn: "#5f6b7a",
  selected: "#13a89e",
};

const listLink = (filters, text) => h("a", { href: `#/list${query(filters)}` }, String(text));
const cell = (n, filters) => (n ? h("td.num", {}, listLink(filters, n)) : h("td.num.zero", {}, "0"));

function statCards(model) {
  return [
    h("div.stat.total", { "data-state": "total" }, h("div.n", {}, String(sum(model.totals))), h("div.l", {}, "项目总数")),
    ...model.states.map((s) =>
      h("div.stat", { "data-state": s, style: `border-top:3px solid ${STATE_COLOURS[s]}` }, h("div.n", {}, String(model.totals[s])), h("div.l", {}, STATES[s])),
    ),
  ];
}

// A district's rows: one per category (the first carries the district's name), a subtotal.
function districtRows(model, d) {
  const many = model.cats.length > 1;
  const rows = d.rows.map(({ category: c, counts }, i) =>
    h(
      "tr",
      { "data-district": d.district, "data-category": c },
      i === 0 ? h("th", { scope: "rowgroup", rowspan: model.cats.length + (many ? 1 : 0) }, d.district) : null,
      h("td", {}, CATEGORIES[c] || c),
      model.states.map((s) => cell(counts[s] || 0, { district: d.district, category: c, state: s })),
      cell(sum(counts), { district: d.district, category: c }),
    ),
  );
  if (many) {
    rows.push(
      h(
        "tr.subtotal",
        {},
        h("td", {}, "小计"),
        model.states.map((s) => cell(d.subtotal[s], { district: d.district, state: s })),
        cell(sum(d.subtotal), { district: d.district }),
      ),
    );
  }
  return rows;
}

function summaryTable(model) {
  if (!model.districts.length) return h("p.muted", {}, "暂无项目。");
  const { category, states, totals } = model;
  const head = h(
    "tr",
    {},
    h("th", { scope: "col" }, "区县"),
    h("th", { scope: "col" }, "类别"),
    states.map((s) => h("th.num", { scope: "col" }, STATES[s])),
    h("th.num", { scope: "col" }, "合计"),
  );
  const total = h(
    "tr.total",
    {},
    h("td", { colspan: 2 }, "合计"),
    states.map((s) => cell(totals[s], { category, state: s })),
    cell(sum(totals), { category }),
  );
  const rows = [...model.districts.flatMap((d) => districtRows(model, d)), total];
  return h("div.table-wrap", {}, h("table", { id: "summary" }, h("thead", {}, head), h("tbody", {}, rows)));
}

// The chart: stacked bars, one per district, a segment per state; drawn once, then updated.
function drawChart(chart, canvas, model) {
  const { labels, series } = model.chart;
  const datasets = series.map(({ state, data }) => ({ label: STATES[state], data, backgroundColor: STATE_COLOURS[state], stack: "states" }));
  if (chart) {
    chart.data.labels = labels;
    chart.data.datasets.forEach((ds, i) => (ds.data = datasets[i].data));
    chart.update();
    return chart;
  }
  return new window.Chart(canvas, {
    type: "bar",
    data: { labels, datasets },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: { duration: 300 },
      plugins: { legend: { position: "bottom" } },
      scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
    },
  });
}

// 保姆 coverage: per district, how many of the entries handed in have a service officer (the
// notice promises one for every project).
function officerTable(report) {
  const rows = (report.districts || []).filter((d) => d.officers);
  const share = (o) => (o.entries ? `${Math.round((100 * o.assigned) / o.entries)}%` : "—");
  return h(
    "table.table",
    { id: "officer-coverage" },
    h("thead", {}, h("tr", {}, h("th", {}, "区县"), h("th.num", {}, "已报项目"), h("th.num", {}, "已有保姆"), h("th.num", {}, "覆盖"))),
    h(
      "tbody",
      {},
      rows.map((d) => h("tr", { "data-district": d.district }, h("th", {}, d.district), h("td.num", {}, String(d.officers.entries)), h("td.num", {}, String(d.officers.assigned)), h("td.num", {}, share(d.officers)))),
    ),
  );
}

function layout(parts) {
  const { districtSel, categorySel, auto, asOf, stats, tableBox, officerBox, canvas, problem, refresh } = parts;
  const panel = (id, title, body) => h("section.panel", { "aria-labelledby": id }, h("h2", { id }, title), body);
  mainArea().append(
    h(
      "div.page-head",
      {},
      h("h1", {}, "汇总看板"),
      h("div.row", {}, h("label.row.small", { for: "sum-auto" }, auto, `自动刷新（每 ${REFRESH_MS / 1000} 秒）`), asOf),
    ),
    problem,
    h(
      "div.panel",
      {},
      h(
        "div.filters",
        {},
        h("div", {}, h("label", { for: "sum-district" }, "区县"), districtSel),
        h("div", {}, h("label", { for: "sum-category" }, "类别"), categorySel),
        h("div", {}, h("button.btn.btn-secondary", { type: "button", onclick: refresh }, "立即刷新")),
      ),
      stats,
    ),
    panel("h-chart", "各区县项目状态", h("div.chart-box", {}, canvas)),
    panel("h-table", "区县 × 类别 × 状态", tableBox),
    panel("h-officers", "保姆覆盖", officerBox),
  );
}

export async function summary(view) {
  const districts = await districtOptions();
  if (view.gone) return;
  const parts = {
    districtSel: select({ id: "sum-district" }, districts, "", "全部区县"),
    categorySel: select({ id: "sum-category" }, CATEGORIES, "", "全部类别"),
    auto: h("input", { type: "checkbox", id: "sum-auto", checked: true }),
    asOf: h("span.muted.small", { id: "as-of", "aria-live": "off" }),
    stats: h("div.stats", { id: "stats" }),
    tableBox: h("div", { id: "summary-table" }),
    officerBox: h("div", { id: "officer-box" }),
    canvas: h("canvas", { id: "summary-chart", role: "img", "aria-label": "各区县项目状态分布柱状图" }),
    problem: h("div", { "aria-live": "assertive" }),
    refresh: () => load(),
  };
  layout(parts);
  let chart = null;
  let last = null;
  const draw = () => {
    if (!last) return;
    const model = summaryModel(last, parts.categorySel.value);
    parts.stats.replaceChildren(...statCards(model));
    parts.tableBox.replaceChildren(summaryTable(model));
    parts.officerBox.replaceChildren(officerTable(last));
    if (window.Chart) chart = drawChart(chart, parts.canvas, model);
  };
  const load = async () => {
    try {
      last = await get(`/api/v1/reports/summary${query({ district: parts.districtSel.value })}`);
      if (view.gone) return;
      parts.problem.replaceChildren();
      parts.asOf.textContent = `数据时间：${fmtTime(last.as_of)}`;
      draw();
    } catch (e) {
      parts.problem.replaceChildren(alertBox("error", e.message));
    }
  };
  parts.districtSel.addEventListener("change", load);
  parts.categorySel.addEventListener("change", draw);
  view.every(REFRESH_MS, () => parts.auto.checked && load());
  await load();
}
