// 逾期补交: staff grant a district or one entry of a call more time, with a reason, and see the
// extensions granted (POST / GET /api/v1/calls/{call_id}/extensions).

import { ApiError, get, post } from "../api.js";
import { fmtTime } from "../labels.js";
import { alertBox, busy, dataTable, h, select, toast } from "../ui.js";
import { localToIso } from "./return.js";

async function listed(callId) {
  const data = await get(`/api/v1/calls/${encodeURIComponent(callId)}/extensions`);
  const rows = data.items || data;
  return dataTable(
    [
      { label: "区县", cell: (x) => x.district },
      { label: "项目", cell: (x) => x.submission_id || "全区县" },
      { label: "延长至", cell: (x) => fmtTime(x.until) },
      { label: "理由", cell: (x) => x.reason },
    ],
    rows,
    { caption: "已准予的逾期补交", empty: "暂无" },
  );
}

/** The extension form and list of one call (`call`: {id, title, districts}). */
export function extensionsPanel(call) {
  // One panel per call on the page: ids carry the call so each label names its own input.
  const id = (name) => `${name}-${call.id}`;
  const list = h("div", { id: id("extensions") });
  const error = h("div", { "aria-live": "assertive" });
  const district = select({ id: id("ext-district"), name: "district" }, Object.fromEntries((call.districts || []).map((d) => [d.name, d.name])), "", "（按项目延长时不选）");
  const entry = h("input", { id: id("ext-submission"), name: "submission_id", placeholder: "项目编号（可选）" });
  const until = h("input", { id: id("ext-until"), type: "datetime-local", required: true });
  const reason = h("textarea", { id: id("ext-reason"), required: true, maxlength: 2000 });
  const refresh = async () => {
    try {
      list.replaceChildren(await listed(call.id));
    } catch (e) {
      list.replaceChildren(alertBox("error", e.message));
    }
  };
  const form = h(
    "form.extension-form",
    {
      onsubmit: (ev) => {
        ev.preventDefault();
        busy(form.querySelector("button"), async () => {
          error.replaceChildren();
          const body = { until: localToIso(until.value), reason: reason.value.trim() };
          if (entry.value.trim()) body.submission_id = entry.value.trim();
          else body.district = district.value;
          try {
            await post(`/api/v1/calls/${encodeURIComponent(call.id)}/extensions`, body);
            toast("已准予逾期补交");
            form.reset();
            refresh();
          } catch (e) {
            if (!(e instanceof ApiError)) throw e;
            const items = Object.entries(e.fields || {}).map(([k, v]) => `${k}：${[].concat(v).join("；")}`);
            error.replaceChildren(alertBox("error", e.message, items));
          }
        });
      },
    },
    h("label", { for: id("ext-district") }, "区县"), district,
    h("label", { for: id("ext-submission") }, "或单个项目"), entry,
    h("label", { for: id("ext-until") }, "延长至（北京时间）"), until,
    h("label", { for: id("ext-reason") }, "理由"), reason,
    error,
    h("div.row", {}, h("button.btn", { type: "submit" }, "准予逾期补交")),
  ); // prettier-ignore
  refresh();
  return h("section.panel", { "aria-labelledby": `h-ext-${call.id}` }, h("h2", { id: `h-ext-${call.id}` }, `逾期补交 · ${call.title}`), form, list);
}

/** The page: one panel per call (GET /api/v1/calls). */
export async function extensions(view) {
  const data = await get("/api/v1/calls");
  if (view.gone) return;
  const calls = data.items || data;
  document.getElementById("main").append(h("div.page-head", {}, h("h1", {}, "逾期补交")), ...calls.map(extensionsPanel));
}
