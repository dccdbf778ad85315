// City staff's entries: filters (kept in the address, so a count on the summary links here),
// search, sort, the table, and the exports of the same selection.

import { download, get, query } from "../api.js";
import { batchCell } from "../batch-view.js";
import { CATEGORIES, MATERIAL_KINDS, MATERIAL_STATUSES, STATES, fmtTime, label } from "../labels.js";
import { alertBox, badge, busy, dataTable, h, mainArea, pager, select, toast } from "../ui.js";
import { districtOptions } from "./districts.js";

const PER_PAGE = 25;

// The list's orders (the report's `sort`); the exported 汇总表 keeps its own, oldest first.
const SORTS = { "-created_at": "最新创建在前", created_at: "最早创建在前", "-updated_at": "最近更新在前", "-priority": "优先支持在前" };


/** The filters in the address (`#/list?district=…&state=…`). */
export function filtersFromHash(hash) {
  const q = hash.includes("?") ? hash.slice(hash.indexOf("?") + 1) : "";
  const params = new URLSearchParams(q);
  const get = (key) => params.get(key) || "";
  return { district: get("district"), category: get("category"), state: get("state"), q: get("q"), sort: get("sort") };
}

/** `推介视频：已存储；项目介绍资料：待上传`, or 无. */
export function materialsText(materials) {
  return (materials || []).map((m) => `${MATERIAL_KINDS[m.kind] || m.kind}：${label(MATERIAL_STATUSES, m.status)}`).join("；") || "无";
}

const COLUMNS = [
  { label: "项目名称", cell: (e) => h("a", { href: `#/entry/${e.submission_id}` }, e.title || "（未命名）") },
  { label: "区县", cell: (e) => e.district },
  { label: "类别", cell: (e) => label(CATEGORIES, e.category) },
  {
    label: "申报单位",
    cell: (e) => h("span", {}, (e.applicant && e.applicant.name) || "", e.applicant && e.applicant.location ? h("div.small.muted", {}, e.applicant.location) : null),
  },
  { label: "状态", cell: (e) => badge(e.state, label(STATES, e.state)) },
  // Problems are fails and missing items; review items await staff and are counted apart.
  { label: "筛查问题", num: true, cell: (e) => String(e.findings_count ?? "") },
  { label: "待审核项", num: true, cell: (e) => (e.review_count ? String(e.review_count) : "") },
  { label: "优先", cell: (e) => (e.priority ? badge("priority", "优先支持") : "") },
  { label: "材料", cell: (e) => h("span.small", {}, materialsText(e.materials)) },
  { label: "服务专员", cell: (e) => (e.officer ? e.officer.name : "") },
  { label: "报送", cell: (e) => batchCell(e.batch, e.changed_after_batch) },
  { label: "延期至", cell: (e) => (e.extended_until ? fmtTime(e.extended_until) : "") },
  { label: "更新时间", cell: (e) => fmtTime(e.updated_at) },
];

function exportButton(ext, selection) {
  const button = h("button.btn.btn-secondary", { type: "button", "data-export": ext }, `导出 ${ext.toUpperCase()}`);
  button.addEventListener("click", () =>
    busy(button, async () => {
      try {
        const name = await download(`/api/v1/reports/entries.${ext}${query(selection())}`, `汇总表.${ext}`);
        toast(`已下载：${name}`);
      } catch (e) {
        toast(e.message, "error");
      }
    }),
  );
  return button;
}

function controls(filters, districts) {
  return {
    districtSel: select({ id: "l-district" }, districts, filters.district, "全部区县"),
    categorySel: select({ id: "l-category" }, CATEGORIES, filters.category, "全部类别"),
    stateSel: select({ id: "l-state" }, STATES, filters.state, "全部状态"),
    sortSel: select({ id: "l-sort" }, SORTS, filters.sort in SORTS ? filters.sort : "-created_at", null),
    search: h("input", { type: "search", id: "l-q", value: filters.q, placeholder: "项目名称或申报单位", maxlength: 100 }),
  };
}

function filterForm(c, onsubmit) {
  const labelled = (id, text, el) => h("div", {}, h("label", { for: id }, text), el);
  const form = h(
    "form.filters",
    { role: "search", onsubmit },
    labelled("l-q", "搜索", c.search),
    labelled("l-district", "区县", c.districtSel),
    labelled("l-category", "类别", c.categorySel),
    labelled("l-state", "状态", c.stateSel),
    labelled("l-sort", "排序", c.sortSel),
    h("div", {}, h("button.btn", { type: "submit" }, "查询")),
  );
  [c.districtSel, c.categorySel, c.stateSel, c.sortSel].forEach((el) => el.addEventListener("change", () => form.requestSubmit()));
  return form;
}

export async function entries(view) {
  const filters = filtersFromHash(location.hash);
  let page = 1;
  const districts = await districtOptions();
  if (view.gone) return;
  const c = controls(filters, districts);
  const body = h("div", { "aria-live": "polite", id: "entries" });
  const current = () => ({ district: c.districtSel.value, category: c.categorySel.value, state: c.stateSel.value, q: c.search.value.trim() });
  const form = filterForm(c, (e) => {
    e.preventDefault();
    page = 1;
    history.replaceState(null, "", `#/list${query({ ...current(), sort: c.sortSel.value })}`);
    load();
  });
  mainArea().append(
    h("div.page-head", {}, h("h1", {}, "项目列表"), h("div.row", {}, exportButton("xlsx", current), exportButton("pdf", current), exportButton("csv", current))),
    h("div.panel", {}, form, body),
  );

  let latest = 0; // answers to an older query that arrive late are dropped
  const load = async () => {
    const mine = ++latest;
    try {
      const data = await get(`/api/v1/reports/entries${query({ ...current(), sort: c.sortSel.value, page, per_page: PER_PAGE })}`);
      if (view.gone || mine !== latest) return;
      const onPage = (p) => {
        page = p;
        load();
      };
      body.replaceChildren(
        dataTable(COLUMNS, data.items, { empty: "没有符合条件的项目。" }),
        pager(page, PER_PAGE, data.total, onPage),
      );
    } catch (e) {
      if (mine === latest) body.replaceChildren(alertBox("error", e.message));
    }
  };
  await load();
}
