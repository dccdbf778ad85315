// The office's 报送批次: for each call of its district, how many submitted entries a batch would
// hand to the city and a 汇总报送 button (with a confirm); below, the district's batches, each
// with its entries, the manifest's SHA-256 and its 报送函.

import { get, post, query } from "../api.js";
import { batchPanel } from "../batch-view.js";
import { loadCalls } from "../calls.js";
import { alertBox, busy, h, mainArea, toast } from "../ui.js";

const PER_PAGE = 500; // the API's most per page

/** Submitted entries of the district, counted per call (all pages). */
async function submittedPerCall() {
  const counts = {};
  for (let page = 1; ; page += 1) {
    const data = await get(`/api/v1/submissions${query({ status: "submitted", page, per_page: PER_PAGE })}`);
    for (const e of data.items) counts[e.call_id] = (counts[e.call_id] || 0) + 1;
    if (page * PER_PAGE >= data.total) return counts;
  }
}

function sendRow(call, count, sent, reload) {
  const next = sent.filter((b) => b.call_id === call.id).length + 1;
  const button = h("button.btn", { type: "button", disabled: !count, "data-send": call.id }, `汇总报送（${count} 个项目）`);
  button.addEventListener("click", () =>
    busy(button, async () => {
      const sure = confirm(
        `将本区县在「${call.title}」中已提交的 ${count} 个项目汇总报送市科协（第${next}批）？\n` +
          "草稿和退回修改的项目不会列入；报送后再修改的项目会在报表中标为“报送后已修改”。",
      );
      if (!sure) return;
      try {
        const batch = await post("/api/v1/batches", { call_id: call.id });
        toast(`已报送${batch.label}：${batch.entries} 个项目`);
        await reload();
      } catch (e) {
        toast(e.message, "error");
      }
    }),
  );
  return h(
    "div.row.send",
    { dataset: { call: call.id } },
    h("span", {}, `「${call.title}」：已提交 ${count} 个项目${next > 1 ? `，已报送 ${next - 1} 批` : ""}`),
    button,
  );
}

export async function batches(view) {
  const sending = h("div.panel", { "aria-live": "polite" });
  const list = h("div", { "aria-live": "polite" });
  mainArea().append(
    h("div.page-head", {}, h("h1", {}, `${view.who.district} · 报送批次`)),
    h("p.muted", {}, "汇总报送把本区县已提交的项目连同每份材料的 SHA-256 冻结为报送清单，报送市科协；打印报送函盖章后随批寄送。"),
    sending,
    list,
  );
  const load = async () => {
    const [calls, counts, sent] = await Promise.all([loadCalls(), submittedPerCall(), get("/api/v1/batches")]);
    if (view.gone) return;
    sending.replaceChildren(
      h("h2", {}, "汇总报送"),
      ...(calls.length ? calls.map((c) => sendRow(c, counts[c.id] || 0, sent.items, load)) : [alertBox("info", "本区县没有参与的征集。")]),
    );
    list.replaceChildren(
      h("h2", {}, `已报送（${sent.total}）`),
      ...(sent.items.length ? sent.items.map((b) => batchPanel(b)) : [h("p.muted", {}, "尚未报送。")]),
    );
  };
  await load();
}
