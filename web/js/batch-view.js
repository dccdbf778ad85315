// A district's batch (汇总报送) as the office and staff consoles show it: its number, call,
// time and count, the manifest's SHA-256, a 下载报送函 button, and its entries read on demand
// (`GET /api/v1/batches/{id}`: the frozen manifest).

import { download, get } from "./api.js";
import { CATEGORIES, STATES, label } from "./labels.js";
import { badge, busy, dataTable, h, toast } from "./ui.js";

/** 第2批, with 报送后已修改 when the entry changed after that batch; empty when not forwarded. */
export function batchCell(batch, changed) {
  if (!batch) return "";
  return h("span", {}, `第${batch}批`, changed ? h("div", {}, badge("changed", "报送后已修改")) : null);
}

const ENTRY_COLUMNS = [
  { label: "序号", cell: (e) => String(e.n), num: true },
  { label: "项目名称", cell: (e) => e.title || "（未命名）" },
  { label: "类别", cell: (e) => label(CATEGORIES, e.category) },
  { label: "材料数", cell: (e) => String(e.materials.length), num: true },
  { label: "版本", cell: (e) => String(e.version), num: true },
  // The entry's screening state when the batch was made (manifests from format 2 on).
  { label: "报送时筛查状态", cell: (e) => (e.screening_state ? label(STATES, e.screening_state) : "") },
];

// What stayed behind, and why: not submitted, or judged ineligible with the clauses it fails.
const LEFT_COLUMNS = [
  { label: "项目名称", cell: (e) => e.title || "（未命名）" },
  { label: "未列入原因", cell: (e) => e.reason || e.status },
  { label: "不符合的条款", cell: (e) => (e.clauses || []).join("、") },
];

export function letterButton(batch) {
  const button = h("button.btn.btn-secondary.btn-small", { type: "button", "data-letter": batch.id }, "下载报送函");
  button.addEventListener("click", () =>
    busy(button, async () => {
      try {
        await download(`/api/v1/batches/${batch.id}/letter.pdf`, `报送函-${batch.label}.pdf`);
      } catch (e) {
        toast(e.message, "error");
      }
    }),
  );
  return button;
}

/** One batch: a summary line, and its entries when opened. `showDistrict` for staff. */
export function batchPanel(batch, { showDistrict = false } = {}) {
  const entries = h("div", { "aria-live": "polite" }, h("p.muted.small", {}, "展开后读取报送清单……"));
  let loaded = false;
  const details = h(
    "details.panel.batch",
    { dataset: { batch: batch.id } },
    h(
      "summary",
      {},
      h("strong", {}, `${showDistrict ? batch.district + " · " : ""}${batch.label}`),
      ` · ${batch.call_title || batch.call_id} · ${batch.sent_at_text} · ${batch.entries} 个项目`,
    ),
    h("p.small", {}, "报送清单 SHA-256：", h("code.sha", {}, batch.sha256)),
    h("div.row", {}, letterButton(batch)),
    entries,
  );
  details.addEventListener("toggle", async () => {
    if (!details.open || loaded) return;
    loaded = true;
    try {
      const full = await get(`/api/v1/batches/${batch.id}`);
      const rows = full.manifest.entries.map((e, i) => ({ ...e, n: i + 1 }));
      const left = full.manifest.not_included;
      const table = dataTable(ENTRY_COLUMNS, rows, { caption: `${batch.label}的项目` });
      const behind = left.length ? [dataTable(LEFT_COLUMNS, left, { caption: "未列入本批的项目" })] : [];
      entries.replaceChildren(table, ...behind);
    } catch (e) {
      loaded = false;
      entries.replaceChildren(h("p.muted", {}, e.message));
    }
  });
  return details;
}
