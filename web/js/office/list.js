// A district office's entries: filters by status and category, the table with screening's
// state beside each submitted entry, and the export of the district's 汇总表.

import { download, get, query } from "../api.js";
import { loadCalls, openCallsBanner } from "../calls.js";
import { kindsFor, latestByKind, loadScreening, screeningBadge, statusBadge } from "../entry.js";
import { CATEGORIES, MATERIAL_KINDS, STATUSES, fmtTime, label } from "../labels.js";
import { batchCell } from "../batch-view.js";
import { busy, dataTable, h, mainArea, pager, select, toast } from "../ui.js";

const PER_PAGE = 20;

/** `推介视频✓ 项目介绍资料… 成果证明材料✗`: stored, on its way, missing, per kind the category needs. */
export function materialMarks(entry) {
  const mine = latestByKind(entry);
  const mark = (k) => (mine[k] ? (mine[k].status === "stored" ? "✓" : "…") : "✗");
  return kindsFor(entry.category).map((k) => `${MATERIAL_KINDS[k]}${mark(k)}`).join(" ");
}

const COLUMNS = [
  { label: "项目名称", cell: (e) => h("a", { href: `#/entries/${e.id}` }, e.title || "（未命名）") },
  { label: "类别", cell: (e) => label(CATEGORIES, e.category) },
  {
    label: "状态",
    cell: (e) =>
      h("span.row", {}, statusBadge(e.status), e.screening && e.screening.state !== "pending" ? screeningBadge(e.screening.state) : null),
  },
  { label: "材料", cell: (e) => h("span.small", {}, materialMarks(e)) },
  // The district's batch that forwarded it to the city (screening's `forwarded`), and
  // 报送后已修改: the city selects it only once a supplementary batch forwards the change.
  {
    label: "报送",
    cell: (e) => {
      const f = e.screening && e.screening.forwarded;
      return f ? batchCell(f.number, f.changed) : "";
    },
  },
  { label: "更新时间", cell: (e) => fmtTime(e.updated_at) },
];

function exportButton(ext) {
  const button = h("button.btn.btn-secondary", { type: "button", "data-export": ext }, `导出本区汇总表（${ext}）`);
  button.addEventListener("click", () =>
    busy(button, async () => {
      try {
        await download(`/api/v1/reports/entries.${ext}`, `汇总表.${ext}`);
      } catch (e) {
        toast(e.message, "error");
      }
    }),
  );
  return button;
}

// The entries of a page with screening's state of the submitted ones, fetched side by side.
async function withScreening(items) {
  const states = await Promise.all(
    items.map((e) => (e.status === "submitted" ? loadScreening(e.id).catch(() => null) : null)),
  );
  return items.map((e, i) => ({ ...e, screening: states[i] }));
}

export async function entries(view) {
  const filters = { status: "", category: "", page: 1 };
  const body = h("div", { "aria-live": "polite" });
  const statusSel = select({ id: "flt-status" }, STATUSES, "", "全部");
  const categorySel = select({ id: "flt-category" }, CATEGORIES, "", "全部");
  const banner = h("div");
  // The deadlines of the open calls; a help only, so the list shows without them.
  loadCalls().then((calls) => !view.gone && banner.replaceChildren(openCallsBanner(calls)), () => {});
  mainArea().append(
    h(
      "div.page-head",
      {},
      h("h1", {}, `${view.who.district} · 申报项目`),
      h("div.row", {}, exportButton("xlsx"), exportButton("pdf"), h("a.btn", { href: "#/entries/new" }, "新建项目")),
    ),
    banner,
    h(
      "div.panel",
      {},
      h(
        "div.filters",
        {},
        h("div", {}, h("label", { for: "flt-status" }, "状态"), statusSel),
        h("div", {}, h("label", { for: "flt-category" }, "类别"), categorySel),
      ),
      body,
    ),
  );
  let latest = 0; // answers to an older query that arrive late are dropped
  const load = async () => {
    const mine = ++latest;
    const { status, category, page } = filters;
    const data = await get(`/api/v1/submissions${query({ status, category, page, per_page: PER_PAGE })}`);
    if (view.gone) return;
    const rows = await withScreening(data.items);
    if (view.gone || mine !== latest) return;
    const onPage = (p) => {
      filters.page = p;
      load();
    };
    body.replaceChildren(
      dataTable(COLUMNS, rows, { empty: "还没有项目。点击“新建项目”开始填报。" }),
      pager(filters.page, PER_PAGE, data.total, onPage),
    );
  };
  for (const [sel, key] of [[statusSel, "status"], [categorySel, "category"]]) {
    sel.addEventListener("change", () => {
      Object.assign(filters, { [key]: sel.value, page: 1 });
      load();
    });
  }
  await load();
}
