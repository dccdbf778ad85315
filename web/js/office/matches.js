// On an office's own technical challenge: the achievements, promotions and finance products
// matching found for it across districts, with why (read-only; city staff confirm them).

import { get } from "../api.js";
import { CATEGORIES, label } from "../labels.js";
import { alertBox, badge, h } from "../ui.js";

const TOP = 5;
// The band of an absolute relevance (强 / 中 / 弱), as the staff's page shows it.
const BAND_CODES = { 强: "eligible", 中: "review", 弱: "none" };
const bandBadge = (band) => (band ? badge(BAND_CODES[band] || "none", `匹配度${band}`) : null);

/** A box that shows the offers found for `entry` (a handed-in challenge), refreshed by `refresh`. */
export function offersFound() {
  const box = h("div", { id: "offers-found" });
  const refresh = async (entry) => {
    if (!entry || entry.category !== "challenge") return box.replaceChildren();
    if (entry.status !== "submitted") return box.replaceChildren(h("p.muted.small", {}, "提交后显示可能对接的成果、推广项目和金融产品。"));
    try {
      const found = await get(`/api/v1/matches/${entry.id}?limit=${TOP}`);
      box.replaceChildren(
        found.items.length
          ? h(
              "ol.matches",
              {},
              found.items.map((item) =>
                h(
                  "li.match",
                  {},
                  h("strong", {}, item.title || "（未命名）"),
                  h("span.small.muted", {}, ` ${label(CATEGORIES, item.category)} · ${item.district} · ${item.applicant_name}`),
                  " ",
                  bandBadge(item.band),
                  item.decision === "confirmed" ? badge("eligible", "已确认对接") : null,
                  h("p.small.muted", {}, item.explanation),
                ),
              ),
            )
          : h("p.muted.small", { "data-verdict": found.verdict || "" }, found.message || "暂未找到可能对接的项目。"),
      );
    } catch (e) {
      box.replaceChildren(alertBox("error", e.message));
    }
  };
  return { el: box, refresh };
}
