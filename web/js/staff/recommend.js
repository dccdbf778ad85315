// The city's recommendation to the province (推荐省级): on a selected entry, staff's form
// (rank and reason) and its withdrawal; and the ranked list (推荐名单) with the province
// package (省级材料包) and the letter (推荐函) to download.

import { ApiError, download, get, query, request } from "../api.js";
import { CATEGORIES, label } from "../labels.js";
import { alertBox, busy, dataTable, h, mainArea, toast } from "../ui.js";
import { decide } from "./decisions.js";

const PATH = (id) => `/api/v1/screenings/${id}/recommendation`;

function failure(message, e) {
  if (!(e instanceof ApiError)) throw e;
  const items = Object.entries(e.fields || {}).map(([k, v]) => `${k}：${[].concat(v).join("；")}`);
  message.replaceChildren(alertBox("error", e.message, items));
}

/** The 推荐省级 form of an entry whose screening is `s`; `done` refreshes the screening. */
export function recommendForm(entry, s, done) {
  const standing = s.recommendation;
  const selected = s.selection && s.selection.decision === "selected" && !s.selection.lapsed;
  const message = h("div", { "aria-live": "assertive" });
  const rank = h("input", { type: "number", id: "recommend-rank", min: 1, max: 10000, step: 1, required: true, value: standing ? standing.rank : "", disabled: !selected });
  const reason = h("textarea", { id: "recommend-reason", rows: 2, maxlength: 2000, required: true, disabled: !selected }, standing ? standing.reason : "");
  const submit = h("button.btn", { type: "submit", disabled: !selected }, standing ? "修改推荐" : "推荐省级");
  const withdraw = standing ? h("button.btn.btn-ghost", { type: "button" }, "撤销推荐") : null;
  const act = async (button, send, ok) =>
    busy(button, async () => {
      try {
        await send();
        message.replaceChildren(alertBox("ok", ok));
        toast(ok);
        await done();
      } catch (e) {
        failure(message, e);
      }
    });
  if (withdraw) {
    withdraw.addEventListener("click", () => act(withdraw, () => request("DELETE", PATH(entry.id)), "已撤销推荐"));
  }
  const onsubmit = (event) => {
    event.preventDefault();
    const body = { rank: Number(rank.value), reason: reason.value.trim() };
    return act(submit, () => decide(entry, PATH(entry.id), body), `已推荐省级：第 ${body.rank} 位`);
  };
  return h(
    "form",
    { id: "recommend-form", onsubmit },
    message,
    standing ? h("p", {}, `当前推荐排序：第 ${standing.rank} 位`) : null,
    h("label", { for: "recommend-rank" }, "推荐排序（同一征集内不可重复）"),
    rank,
    h("label", { for: "recommend-reason" }, "推荐理由"),
    reason,
    selected ? null : h("p.hint", {}, "只有已入选的项目可以推荐省级；遴选失效时推荐随之撤销。"),
    h("div.row", { style: "margin-top:.5rem" }, submit, withdraw),
  );
}

function downloadButton(text, path, fallback) {
  const button = h("button.btn.btn-secondary", { type: "button" }, text);
  button.addEventListener("click", () =>
    busy(button, async () => {
      try {
        toast(`已下载：${await download(path, fallback)}`);
      } catch (e) {
        toast(e.message, "error");
      }
    }),
  );
  return button;
}

const COLUMNS = [
  { label: "推荐排序", num: true, cell: (e) => String(e.recommendation_rank) },
  { label: "项目名称", cell: (e) => h("a", { href: `#/entry/${e.submission_id}` }, e.title || "（未命名项目）") },
  { label: "类别", cell: (e) => label(CATEGORIES, e.category) },
  { label: "所属区县", cell: (e) => e.district || "" },
  { label: "推荐理由", cell: (e) => e.recommendation_reason },
];

/** 推荐名单: the recommended entries by rank, and the province's downloads. */
export async function recommendations(view) {
  const data = await get(`/api/v1/reports/entries${query({ recommended: "true", sort: "recommendation_rank", per_page: 500 })}`);
  if (view.gone) return;
  mainArea().append(
    h(
      "div.page-head",
      {},
      h("h1", {}, "推荐名单（推荐省级）"),
      h(
        "div.row",
        {},
        downloadButton("下载省级材料包", "/api/v1/reports/recommendations.zip", "推荐省级材料包.zip"),
        downloadButton("下载推荐函", "/api/v1/reports/recommendations/letter.pdf", "推荐函.pdf"),
      ),
    ),
    h("p.muted.small", {}, `共 ${data.total} 个项目。材料包含汇总表、推荐函、全部材料及 manifest.json（每个文件的 SHA-256）；材料较大时下载需要一些时间。`),
    dataTable(COLUMNS, data.items, { caption: "推荐名单", empty: "尚无推荐省级的项目：在已入选项目的页面上推荐。" }),
  );
}
