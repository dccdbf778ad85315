// Staff's 报送批次: every district's batches (汇总报送), newest first, filtered by call; each
// with its entries, the manifest's SHA-256 and its 报送函.

import { get, query } from "../api.js";
import { batchPanel } from "../batch-view.js";
import { loadCalls } from "../calls.js";
import { h, mainArea, select } from "../ui.js";

export async function batches(view) {
  const calls = await loadCalls();
  const callSel = select({ id: "flt-call" }, Object.fromEntries(calls.map((c) => [c.id, c.title])), "", "全部征集");
  const list = h("div", { "aria-live": "polite" });
  mainArea().append(
    h("div.page-head", {}, h("h1", {}, "各区县报送批次")),
    h("div.panel", {}, h("div.filters", {}, h("div", {}, h("label", { for: "flt-call" }, "征集"), callSel))),
    list,
  );
  const load = async () => {
    const sent = await get(`/api/v1/batches${query({ call_id: callSel.value })}`);
    if (view.gone) return;
    list.replaceChildren(
      h("p.muted.small", {}, `共 ${sent.total} 批`),
      ...(sent.items.length ? sent.items.map((b) => batchPanel(b, { showDistrict: true })) : [h("p.muted", {}, "尚无区县报送。")]),
    );
  };
  callSel.addEventListener("change", load);
  await load();
}
