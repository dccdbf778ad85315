// A district's batch (汇总报送) as the office and staff consoles show it: its number, call,
// time and count, the manifest's SHA-256, a 下载报送函 button, and its entries read on demand
// (`GET /api/v1/batches/{id}`: the frozen manifest).

import { download, get } from "./api.js";
import { CATEGORIES, label } from "./labels.js";
import { busy, dataTable, h, toast } from "./ui.js";

const ENTRY_COLUMNS = [
  { label: "序号", cell: (e) => String(e.n), num: true },
  { label: "项目名称", cell: (e) => e.title || "（未命名）" },
  { label: "类别", cell: (e) => label(CATEGORIES, e.category) },
  { label: "材料数", cell: (e) => String(e.materials.length), num: true },
  { label: "版本", cell: (e) => String(e.version), num: true },
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
      const left = full.manifest.not_included.length;
      const table = dataTable(ENTRY_COLUMNS, rows, { caption: `${batch.label}的项目` });
      const note = `另有 ${left} 个项目未提交（草稿、退回修改或已撤回），未列入本批。`;
      entries.replaceChildren(table, ...(left ? [h("p.muted.small", {}, note)] : []));
    } catch (e) {
      loaded = false;
      entries.replaceChildren(h("p.muted", {}, e.message));
    }
  });
  return details;
}
