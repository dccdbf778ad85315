// City staff's pages: the live roll-up (table and chart, refreshed in place), the entries with
// filters and search, one entry's detail with review and selection, and the exports.

import { ApiError, download, get, post, query } from "./api.js";
import {
  factsView,
  historyView,
  kindsFor,
  latestByKind,
  loadScreening,
  materialView,
  screeningView,
  statusBadge,
} from "./entry.js";
import { CATEGORIES, MATERIAL_KINDS, MATERIAL_STATUSES, STATES, fmtTime, label } from "./labels.js";
import { alertBox, badge, busy, dataTable, h, pager, select, toast } from "./ui.js";

const main = () => document.getElementById("main");
const REFRESH_MS = 5000;
const PER_PAGE = 25;

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

const sum = (counts) => Object.values(counts || {}).reduce((a, b) => a + b, 0);
const listLink = (filters, text) => h("a", { href: `#/list${query(filters)}` }, String(text));

// The call's districts, in its order, as the unfiltered summary lists them (every one, with
// or without entries): the calls file, not this page, says which districts take part.
let districtNames = null;
async function districtOptions() {
  if (!districtNames) districtNames = (await get("/api/v1/reports/summary")).districts.map((d) => d.district);
  return Object.fromEntries(districtNames.map((d) => [d, d]));
}

// --- the summary ------------------------------------------------------------------------------

export async function summary(view) {
  const districts = await districtOptions();
  if (view.gone) return;
  const districtSel = select({ id: "sum-district" }, districts, "", "全部区县");
  const categorySel = select({ id: "sum-category" }, CATEGORIES, "", "全部类别");
  const auto = h("input", { type: "checkbox", id: "sum-auto", checked: true });
  const asOf = h("span.muted.small", { id: "as-of", "aria-live": "off" });
  const stats = h("div.stats", { id: "stats" });
  const tableBox = h("div", { id: "summary-table" });
  const canvas = h("canvas", { id: "summary-chart", role: "img", "aria-label": "各区县项目状态分布柱状图" });
  const problem = h("div", { "aria-live": "assertive" });
  main().append(
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
        h("div", {}, h("button.btn.btn-secondary", { type: "button", onclick: () => load() }, "立即刷新")),
      ),
      stats,
    ),
    h("section.panel", { "aria-labelledby": "h-chart" }, h("h2", { id: "h-chart" }, "各区县项目状态"), h("div.chart-box", {}, canvas)),
    h("section.panel", { "aria-labelledby": "h-table" }, h("h2", { id: "h-table" }, "区县 × 类别 × 状态"), tableBox),
  );

  let chart = null;
  let last = null;
  const draw = () => {
    if (!last) return;
    const category = categorySel.value;
    const cats = category ? [category] : Object.keys(CATEGORIES);
    const countsOf = (d, c) => (d.categories && d.categories[c]) || {};
    // Stat cards: totals by state over what is filtered.
    const totals = Object.fromEntries(Object.keys(STATES).map((s) => [s, 0]));
    for (const d of last.districts) for (const c of cats) for (const s of Object.keys(STATES)) totals[s] += countsOf(d, c)[s] || 0;
    stats.replaceChildren(
      h("div.stat.total", { "data-state": "total" }, h("div.n", {}, String(sum(totals))), h("div.l", {}, "项目总数")),
      ...Object.entries(STATES).map(([s, name]) =>
        h("div.stat", { "data-state": s, style: `border-top:3px solid ${STATE_COLOURS[s]}` }, h("div.n", {}, String(totals[s])), h("div.l", {}, name)),
      ),
    );
    // The table: one row per district and category, a subtotal per district, a total.
    const head = h(
      "tr",
      {},
      h("th", { scope: "col" }, "区县"),
      h("th", { scope: "col" }, "类别"),
      Object.values(STATES).map((name) => h("th.num", { scope: "col" }, name)),
      h("th.num", { scope: "col" }, "合计"),
    );
    const cell = (n, filters) => (n ? h("td.num", {}, listLink(filters, n)) : h("td.num.zero", {}, "0"));
    const rows = [];
    for (const d of last.districts) {
      const sub = Object.fromEntries(Object.keys(STATES).map((s) => [s, 0]));
      cats.forEach((c, i) => {
        const counts = countsOf(d, c);
        Object.keys(STATES).forEach((s) => (sub[s] += counts[s] || 0));
        rows.push(
          h(
            "tr",
            { "data-district": d.district, "data-category": c },
            i === 0 ? h("th", { scope: "rowgroup", rowspan: cats.length + (cats.length > 1 ? 1 : 0) }, d.district) : null,
            h("td", {}, CATEGORIES[c] || c),
            Object.keys(STATES).map((s) => cell(counts[s] || 0, { district: d.district, category: c, state: s })),
            cell(sum(counts), { district: d.district, category: c }),
          ),
        );
      });
      if (cats.length > 1) {
        rows.push(
          h(
            "tr.subtotal",
            {},
            h("td", {}, "小计"),
            Object.keys(STATES).map((s) => cell(sub[s], { district: d.district, state: s })),
            cell(sum(sub), { district: d.district }),
          ),
        );
      }
    }
    rows.push(
      h(
        "tr.total",
        {},
        h("td", { colspan: 2 }, "合计"),
        Object.keys(STATES).map((s) => cell(totals[s], { category, state: s })),
        cell(sum(totals), { category }),
      ),
    );
    tableBox.replaceChildren(
      last.districts.length
        ? h("div.table-wrap", {}, h("table", { id: "summary" }, h("thead", {}, head), h("tbody", {}, rows)))
        : h("p.muted", {}, "暂无项目。"),
    );
    // The chart: stacked bars, one per district, a segment per state.
    if (!window.Chart) return;
    const labels = last.districts.map((d) => d.district);
    const datasets = Object.entries(STATES).map(([s, name]) => ({
      label: name,
      data: last.districts.map((d) => cats.reduce((n, c) => n + (countsOf(d, c)[s] || 0), 0)),
      backgroundColor: STATE_COLOURS[s],
      stack: "states",
    }));
    if (!chart) {
      chart = new window.Chart(canvas, {
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
    } else {
      chart.data.labels = labels;
      chart.data.datasets.forEach((ds, i) => (ds.data = datasets[i].data));
      chart.update();
    }
  };

  const load = async () => {
    try {
      last = await get(`/api/v1/reports/summary${query({ district: districtSel.value })}`);
      if (view.gone) return;
      problem.replaceChildren();
      asOf.textContent = `数据时间：${fmtTime(last.as_of)}`;
      draw();
    } catch (e) {
      problem.replaceChildren(alertBox("error", e.message));
    }
  };
  districtSel.addEventListener("change", load);
  categorySel.addEventListener("change", draw);
  view.every(REFRESH_MS, () => auto.checked && load());
  await load();
}

// --- the entries --------------------------------------------------------------------------------

function filtersFromHash() {
  const q = location.hash.includes("?") ? location.hash.slice(location.hash.indexOf("?") + 1) : "";
  const params = new URLSearchParams(q);
  return {
    district: params.get("district") || "",
    category: params.get("category") || "",
    state: params.get("state") || "",
    q: params.get("q") || "",
    sort: params.get("sort") || "",
  };
}

// The list's orders (the report's `sort`); the exported 汇总表 keeps its own, oldest first.
const SORTS = { "-created_at": "最新创建在前", created_at: "最早创建在前", "-updated_at": "最近更新在前" };

export async function list(view) {
  const filters = filtersFromHash();
  let page = 1;
  const districts = await districtOptions();
  if (view.gone) return;
  const districtSel = select({ id: "l-district" }, districts, filters.district, "全部区县");
  const categorySel = select({ id: "l-category" }, CATEGORIES, filters.category, "全部类别");
  const stateSel = select({ id: "l-state" }, STATES, filters.state, "全部状态");
  const sortSel = select({ id: "l-sort" }, SORTS, filters.sort in SORTS ? filters.sort : "-created_at", null);
  const search = h("input", { type: "search", id: "l-q", value: filters.q, placeholder: "项目名称或申报单位", maxlength: 100 });
  const body = h("div", { "aria-live": "polite", id: "entries" });
  const exportBtn = (ext) => {
    const b = h("button.btn.btn-secondary", { type: "button", "data-export": ext }, `导出 ${ext.toUpperCase()}`);
    b.addEventListener("click", () =>
      busy(b, async () => {
        try {
          const name = await download(`/api/v1/reports/entries.${ext}${query(current())}`, `汇总表.${ext}`);
          toast(`已下载：${name}`);
        } catch (e) {
          toast(e.message, "error");
        }
      }),
    );
    return b;
  };
  const current = () => ({ district: districtSel.value, category: categorySel.value, state: stateSel.value, q: search.value.trim() });
  const form = h(
    "form.filters",
    {
      role: "search",
      onsubmit: (e) => {
        e.preventDefault();
        page = 1;
        history.replaceState(null, "", `#/list${query({ ...current(), sort: sortSel.value })}`);
        load();
      },
    },
    h("div", {}, h("label", { for: "l-q" }, "搜索"), search),
    h("div", {}, h("label", { for: "l-district" }, "区县"), districtSel),
    h("div", {}, h("label", { for: "l-category" }, "类别"), categorySel),
    h("div", {}, h("label", { for: "l-state" }, "状态"), stateSel),
    h("div", {}, h("label", { for: "l-sort" }, "排序"), sortSel),
    h("div", {}, h("button.btn", { type: "submit" }, "查询")),
  );
  [districtSel, categorySel, stateSel, sortSel].forEach((el) => el.addEventListener("change", () => form.requestSubmit()));
  main().append(
    h("div.page-head", {}, h("h1", {}, "项目列表"), h("div.row", {}, exportBtn("xlsx"), exportBtn("csv"))),
    h("div.panel", {}, form, body),
  );

  let latest = 0; // answers to an older query that arrive late are dropped
  const load = async () => {
    const mine = ++latest;
    try {
      const data = await get(`/api/v1/reports/entries${query({ ...current(), sort: sortSel.value, page, per_page: PER_PAGE })}`);
      if (view.gone || mine !== latest) return;
      const { items: rows, total } = data;
      body.replaceChildren(
        dataTable(
          [
            { label: "项目名称", cell: (e) => h("a", { href: `#/entry/${e.submission_id}` }, e.title || "（未命名）") },
            { label: "区县", cell: (e) => e.district },
            { label: "类别", cell: (e) => label(CATEGORIES, e.category) },
            { label: "申报单位", cell: (e) => (e.applicant && e.applicant.name) || "" },
            { label: "状态", cell: (e) => badge(e.state, label(STATES, e.state)) },
            { label: "筛查问题", num: true, cell: (e) => String(e.findings_count ?? "") },
            {
              label: "材料",
              cell: (e) =>
                h("span.small", {}, (e.materials || []).map((m) => `${MATERIAL_KINDS[m.kind] || m.kind}：${label(MATERIAL_STATUSES, m.status)}`).join("；") || "无"),
            },
            { label: "服务专员", cell: (e) => (e.officer ? e.officer.name : "") },
            { label: "更新时间", cell: (e) => fmtTime(e.updated_at) },
          ],
          rows,
          { empty: "没有符合条件的项目。" },
        ),
        pager(page, PER_PAGE, total, (p) => {
          page = p;
          load();
        }),
      );
    } catch (e) {
      if (mine === latest) body.replaceChildren(alertBox("error", e.message));
    }
  };
  await load();
}

// --- one entry --------------------------------------------------------------------------------

export async function detail(view, id) {
  const entry = await get(`/api/v1/submissions/${id}`);
  if (view.gone) return;
  const screeningBox = h("div", { id: "screening", "aria-live": "polite" });
  const decisionsBox = h("div");
  const materialsBox = h("div", { id: "materials" });
  const historyBox = h("div");
  const officerBox = h("div");
  main().append(
    h(
      "div.page-head",
      {},
      h(
        "div",
        {},
        h("h1", {}, entry.title || "（未命名项目）"),
        h(
          "div.row.small.muted",
          {},
          h("span", {}, entry.district),
          h("span", {}, label(CATEGORIES, entry.category)),
          statusBadge(entry.status),
          h("span", {}, `版本 ${entry.version}`),
          h("span", {}, `更新于 ${fmtTime(entry.updated_at)}`),
        ),
      ),
      h("a.btn.btn-ghost", { href: "#/list" }, "返回列表"),
    ),
    h(
      "div.grid2",
      {},
      h(
        "div",
        {},
        h("section.panel", { "aria-labelledby": "h-facts" }, h("h2", { id: "h-facts" }, "项目信息"), factsView(entry)),
        h("section.panel", { "aria-labelledby": "h-materials" }, h("h2", { id: "h-materials" }, "材料"), materialsBox),
        h("section.panel", { "aria-labelledby": "h-history" }, h("h2", { id: "h-history" }, "历史记录"), historyBox),
      ),
      h(
        "div",
        {},
        h("section.panel", { "aria-labelledby": "h-screening" }, h("h2", { id: "h-screening" }, "筛查结果"), screeningBox),
        h("section.panel", { "aria-labelledby": "h-decide" }, h("h2", { id: "h-decide" }, "审核与遴选"), decisionsBox),
        h("section.panel", { "aria-labelledby": "h-officer" }, h("h2", { id: "h-officer" }, "服务专员（保姆）"), officerBox),
      ),
    ),
  );

  let screening = null;
  const refreshScreening = async () => {
    try {
      const s = await loadScreening(id);
      if (view.gone) return;
      const changed = !screening || !s || s.version !== screening.version || s.state !== screening.state;
      screening = s;
      screeningBox.replaceChildren(screeningView(s));
      if (changed) decisionsBox.replaceChildren(decisions(s || { state: "pending" }));
    } catch (e) {
      screeningBox.replaceChildren(alertBox("error", e.message));
    }
  };

  const decisions = (s) => {
    const reviewable = s.state === "in_review";
    const selectable = entry.status === "submitted" && s.state !== "pending";
    return h(
      "div",
      {},
      decisionForm({
        id: "review",
        legend: "审核结论",
        options: { eligible: "符合条件", ineligible: "不符合条件" },
        enabled: reviewable,
        why: "只有“待审核”的项目可以审核（不符合条件或缺材料的项目由筛查规则决定）。",
        submitText: "提交审核",
        send: (body) => post(`/api/v1/screenings/${id}/review`, body),
        done: refreshScreening,
      }),
      decisionForm({
        id: "selection",
        legend: "市科协遴选",
        options: { selected: "入选", not_selected: "未入选" },
        enabled: selectable,
        why: "项目提交并完成筛查后才能遴选；只有符合条件的项目可以入选。",
        submitText: "记录遴选结果",
        send: (body) => post(`/api/v1/screenings/${id}/selection`, body),
        done: refreshScreening,
      }),
    );
  };

  officerBox.append(officerForm(entry));

  const refreshMaterials = async () => {
    const mine = latestByKind(entry);
    const cards = await Promise.all(
      kindsFor(entry.category).map(async (kind) =>
        h("div.material", { "data-kind": kind }, h("h3", {}, MATERIAL_KINDS[kind]), mine[kind] ? await materialView(mine[kind]) : h("p.muted.small", {}, "未上传")),
      ),
    );
    if (!view.gone) materialsBox.replaceChildren(...cards);
  };
  const refreshHistory = async () => {
    try {
      const data = await get(`/api/v1/submissions/${id}/history`);
      if (!view.gone) historyBox.replaceChildren(historyView(data.items));
    } catch (e) {
      historyBox.replaceChildren(alertBox("error", e.message));
    }
  };
  await Promise.all([refreshScreening(), refreshMaterials(), refreshHistory()]);
  view.every(REFRESH_MS, refreshScreening);
}

function decisionForm({ id, legend, options, enabled, why, submitText, send, done }) {
  const message = h("div", { "aria-live": "assertive" });
  const note = h("textarea", { id: `${id}-note`, name: "note", rows: 2, maxlength: 2000, disabled: !enabled });
  const radios = Object.entries(options).map(([code, text], i) =>
    h(
      "label.row",
      { for: `${id}-${code}`, style: "font-weight:400" },
      h("input", { type: "radio", name: `${id}-decision`, id: `${id}-${code}`, value: code, checked: i === 0, disabled: !enabled }),
      text,
    ),
  );
  const button = h("button.btn", { type: "submit", disabled: !enabled }, submitText);
  return h(
    "form",
    {
      id: `${id}-form`,
      style: "margin-bottom:1rem",
      onsubmit: async (event) => {
        event.preventDefault();
        const form = event.currentTarget;
        const decision = form.querySelector(`input[name="${id}-decision"]:checked`).value;
        await busy(button, async () => {
          try {
            await send({ decision, note: note.value });
            message.replaceChildren(alertBox("ok", `已记录：${options[decision]}`));
            toast(`已记录：${options[decision]}`);
            await done();
          } catch (e) {
            if (!(e instanceof ApiError)) throw e;
            message.replaceChildren(alertBox("error", e.message, Object.entries(e.fields).map(([k, v]) => `${k}：${[].concat(v).join("；")}`)));
          }
        });
      },
    },
    h(
      "fieldset",
      {},
      h("legend", {}, legend),
      message,
      h("div.row", { role: "radiogroup" }, radios),
      h("label", { for: `${id}-note` }, "说明（可选）"),
      note,
      enabled ? null : h("p.hint", {}, why),
      h("div.row", { style: "margin-top:.5rem" }, button),
    ),
  );
}

function officerForm(entry) {
  const message = h("div", { "aria-live": "assertive" });
  const name = h("input", { type: "text", id: "officer-name", value: entry.officer ? entry.officer.name : "", "aria-describedby": "officer-name-err" });
  const phone = h("input", { type: "tel", id: "officer-phone", value: entry.officer ? entry.officer.phone : "", "aria-describedby": "officer-phone-err" });
  const nameErr = h("div.field-error", { id: "officer-name-err" });
  const phoneErr = h("div.field-error", { id: "officer-phone-err" });
  const button = h("button.btn.btn-secondary", { type: "submit" }, entry.officer ? "更换服务专员" : "指派服务专员");
  return h(
    "form",
    {
      onsubmit: async (event) => {
        event.preventDefault();
        nameErr.textContent = phoneErr.textContent = "";
        await busy(button, async () => {
          try {
            const updated = await post(`/api/v1/submissions/${entry.id}/service-officer`, { name: name.value.trim(), phone: phone.value.trim() });
            message.replaceChildren(alertBox("ok", `已指派：${updated.officer.name}`));
          } catch (e) {
            if (!(e instanceof ApiError)) throw e;
            nameErr.textContent = [].concat(e.fields.name || []).join("；");
            phoneErr.textContent = [].concat(e.fields.phone || []).join("；");
            message.replaceChildren(alertBox("error", e.message));
          }
        });
      },
    },
    message,
    h("div.fields", {}, h("div.field", {}, h("label", { for: "officer-name" }, "姓名"), name, nameErr), h("div.field", {}, h("label", { for: "officer-phone" }, "电话"), phone, phoneErr)),
    h("div.row", { style: "margin-top:.6rem" }, button),
  );
}
