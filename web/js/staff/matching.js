// 供需对接 for city staff: each technical challenge with the offers that may answer it and why
// (confirm 对接成功 or dismiss), the entries suspected of being handed in twice (mark them),
// and the download of the matches table (matches.xlsx). Matching serves all of it.

import { download, get, post, query } from "../api.js";
import { CATEGORIES, label } from "../labels.js";
import { alertBox, badge, busy, dataTable, h, mainArea, pager, toast } from "../ui.js";

const PER_PAGE = 10;
const TOP = 5;
const DUPLICATE_DECISIONS = { duplicate_of: "已认定重复", not_duplicate: "已认定不重复" };

const panel = (id, title, body) => h("section.panel", { "aria-labelledby": id }, h("h2", { id }, title), body);
const percent = (x) => `${Math.round(x * 100)}%`;
// The band of an absolute relevance (强 / 中 / 弱, calibrated on the held-out set's dev split).
const BAND_CODES = { 强: "eligible", 中: "review", 弱: "none" };
export const bandBadge = (band) => (band ? badge(BAND_CODES[band] || "none", `匹配度${band}`) : null);

/** One offer found for a challenge: what it is, its score and why; staff's buttons. */
export function offerRow(challengeId, item, onDecided) {
  const decide = (decision, text) => {
    const button = h("button.btn.btn-secondary.btn-small", { type: "button", "data-decision": decision }, text);
    button.addEventListener("click", () =>
      busy(button, async () => {
        try {
          await post(`/api/v1/matches/${challengeId}/${item.submission_id}`, { decision });
          toast(decision === "confirmed" ? "已确认对接成功" : "已排除");
          onDecided();
        } catch (e) {
          toast(e.message, "error");
        }
      }),
    );
    return button;
  };
  return h(
    "li.match",
    { "data-offer": item.submission_id },
    h(
      "div.row",
      {},
      h("a", { href: `#/entry/${item.submission_id}` }, item.title || "（未命名）"),
      h("span.small.muted", {}, `${label(CATEGORIES, item.category)} · ${item.district} · ${item.applicant_name}`),
      bandBadge(item.band),
      h("span.small", {}, `相关度 ${item.score.toFixed(2)}`),
      item.decision === "confirmed" ? badge("eligible", "已确认对接") : null,
    ),
    h("p.small.muted", {}, item.explanation),
    item.decision === "confirmed" ? null : h("div.row", {}, decide("confirmed", "确认对接成功"), decide("dismissed", "排除")),
  );
}

async function offersOf(challengeId, box) {
  try {
    const found = await get(`/api/v1/matches/${challengeId}?limit=${TOP}`);
    box.replaceChildren(
      found.items.length
        ? h("ol.matches", {}, found.items.map((item) => offerRow(challengeId, item, () => offersOf(challengeId, box))))
        : h("p.muted.small", { "data-verdict": found.verdict || "" }, found.message || "暂未找到可能对接的成果、推广项目或金融产品。"),
    );
  } catch (e) {
    box.replaceChildren(alertBox("error", e.message));
  }
}

function challengeCard(entry) {
  const box = h("div", {}, h("p.muted.small", {}, "正在查找……"));
  offersOf(entry.submission_id, box);
  return h(
    "article.challenge",
    { "data-challenge": entry.submission_id },
    h("h3", {}, h("a", { href: `#/entry/${entry.submission_id}` }, entry.title || "（未命名）"), h("span.small.muted", {}, ` · ${entry.district}`)),
    box,
  );
}

async function challenges(box, page = 1) {
  try {
    // Newest first, as the 项目列表 lists them: the report's own order (oldest first) would
    // leave a challenge just handed in on the last page.
    const data = await get(`/api/v1/reports/entries${query({ category: "challenge", sort: "-created_at", page, per_page: PER_PAGE })}`);
    box.replaceChildren(
      data.items.length ? h("div", {}, data.items.map(challengeCard)) : h("p.muted", {}, "还没有科技难题。"),
      pager(page, PER_PAGE, data.total, (p) => challenges(box, p)),
    );
  } catch (e) {
    box.replaceChildren(alertBox("error", e.message));
  }
}

function markButton(pair, first, second, decision, text, onMarked) {
  const button = h("button.btn.btn-secondary.btn-small", { type: "button", "data-mark": decision }, text);
  button.addEventListener("click", () =>
    busy(button, async () => {
      try {
        await post(`/api/v1/duplicates/${first.submission_id}/${second.submission_id}`, { decision });
        toast("已记录认定");
        onMarked();
      } catch (e) {
        toast(e.message, "error");
      }
    }),
  );
  return button;
}

const entryCell = (e) => h("span", {}, h("a", { href: `#/entry/${e.submission_id}` }, e.title || "（未命名）"), h("div.small.muted", {}, `${e.district} · ${label(CATEGORIES, e.category)}`));

async function duplicates(box, page = 1) {
  const again = () => duplicates(box, page);
  try {
    const data = await get(`/api/v1/duplicates${query({ page, per_page: PER_PAGE })}`);
    const columns = [
      { label: "项目甲", cell: (p) => entryCell(p.a) },
      { label: "项目乙", cell: (p) => entryCell(p.b) },
      { label: "相似度", num: true, cell: (p) => `${percent(p.similarity)}（名称 ${percent(p.title_similarity)}）` },
      { label: "认定", cell: (p) => (p.decision ? badge(p.decision.decision, DUPLICATE_DECISIONS[p.decision.decision]) : "待认定") },
      {
        label: "操作",
        cell: (p) =>
          h(
            "div.row",
            {},
            markButton(p, p.b, p.a, "duplicate_of", "乙重复甲", again),
            markButton(p, p.a, p.b, "duplicate_of", "甲重复乙", again),
            markButton(p, p.a, p.b, "not_duplicate", "不是重复", again),
          ),
      },
    ];
    box.replaceChildren(dataTable(columns, data.items, { caption: "疑似重复申报", empty: "没有疑似重复申报的项目。" }), pager(page, PER_PAGE, data.total, (p) => duplicates(box, p)));
  } catch (e) {
    box.replaceChildren(alertBox("error", e.message));
  }
}

export async function matching(view) {
  const exportButton = h("button.btn.btn-secondary", { type: "button", "data-export": "matches" }, "导出供需对接表");
  exportButton.addEventListener("click", () =>
    busy(exportButton, async () => {
      try {
        toast(`已下载：${await download("/api/v1/reports/matches.xlsx", "供需对接表.xlsx")}`);
      } catch (e) {
        toast(e.message, "error");
      }
    }),
  );
  const found = h("div", { id: "challenges" });
  const twice = h("div", { id: "duplicates" });
  mainArea().append(
    h("div.page-head", {}, h("h1", {}, "供需对接"), h("div.row", {}, exportButton)),
    panel("h-challenges", "科技难题与可能对接的项目", found),
    panel("h-duplicates", "疑似重复申报", twice),
  );
  if (view.gone) return;
  await Promise.all([challenges(found), duplicates(twice)]);
}
