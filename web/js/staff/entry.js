// One entry for city staff: its facts, materials and history; screening's findings kept
// current; the review, the selection and the service officer (decisions.js).

import { get } from "../api.js";
import { factsView, historyView, kindsFor, latestByKind, loadScreening, materialView, receiptButton, screeningView, statusBadge } from "../entry.js";
import { CATEGORIES, MATERIAL_KINDS, fmtTime, label } from "../labels.js";
import { alertBox, h, mainArea } from "../ui.js";
import { decisions, officerForm } from "./decisions.js";
import { returnForm } from "./return.js";
import { recommendForm } from "./recommend.js";

const REFRESH_MS = 5000;

const panel = (id, title, body) => h("section.panel", { "aria-labelledby": id }, h("h2", { id }, title), body);

function pageHead(entry) {
  return h(
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
    h("div.row", {}, receiptButton(entry.id), h("a.btn.btn-ghost", { href: "#/list" }, "返回列表")),
  );
}

async function materialCards(entry) {
  const mine = latestByKind(entry);
  return Promise.all(
    kindsFor(entry.category).map(async (kind) =>
      h("div.material", { "data-kind": kind }, h("h3", {}, MATERIAL_KINDS[kind]), mine[kind] ? await materialView(mine[kind]) : h("p.muted.small", {}, "未上传")),
    ),
  );
}

export async function entry(view, id) {
  const shown = await get(`/api/v1/submissions/${id}`);
  if (view.gone) return;
  const box = {
    screening: h("div", { id: "screening", "aria-live": "polite" }),
    decisions: h("div"),
    recommend: h("div"),
    materials: h("div", { id: "materials" }),
    history: h("div"),
  };
  mainArea().append(
    pageHead(shown),
    h(
      "div.grid2",
      {},
      h("div", {}, panel("h-facts", "项目信息", factsView(shown)), panel("h-materials", "材料", box.materials), panel("h-history", "历史记录", box.history)),
      h(
        "div",
        {},
        panel("h-screening", "筛查结果", box.screening),
        panel("h-decide", "审核与遴选", box.decisions),
        panel("h-recommend", "推荐省级", box.recommend),
        panel("h-officer", "服务专员（保姆）", h("div", {}, officerForm(shown))),
        // 退回修改 (return.js): redrawn from the entry the return answers with.
        panel("h-return", "退回修改", h("div#return-box", {}, returnForm(shown, () => window.dispatchEvent(new HashChangeEvent("hashchange"))))),
      ),
    ),
  );

  let screening = null;
  // The decision forms are redrawn only when screening's answer changed (not to lose a note).
  const refreshScreening = async () => {
    try {
      const s = await loadScreening(id);
      if (view.gone) return;
      const changed = !screening || !s || s.version !== screening.version || s.state !== screening.state;
      screening = s;
      box.screening.replaceChildren(screeningView(s));
      if (changed) box.decisions.replaceChildren(decisions(shown, s || { state: "pending" }, refreshScreening));
      if (changed) box.recommend.replaceChildren(recommendForm(shown, s || { state: "pending" }, refreshScreening));
    } catch (e) {
      box.screening.replaceChildren(alertBox("error", e.message));
    }
  };
  const refreshMaterials = async () => {
    const cards = await materialCards(shown);
    if (!view.gone) box.materials.replaceChildren(...cards);
  };
  const refreshHistory = async () => {
    try {
      const data = await get(`/api/v1/submissions/${id}/history`);
      if (!view.gone) box.history.replaceChildren(historyView(data.items));
    } catch (e) {
      box.history.replaceChildren(alertBox("error", e.message));
    }
  };
  await Promise.all([refreshScreening(), refreshMaterials(), refreshHistory()]);
  view.every(REFRESH_MS, refreshScreening);
}
