// 退回修改: staff return a submitted entry with reasons, the fields concerned (picked from the
// entry's labelled fields) and a due time (POST /api/v1/submissions/{id}/return).

import { ApiError, post } from "../api.js";
import { formFields } from "../catalog.js";
import { fmtTime } from "../labels.js";
import { alertBox, busy, h, toast } from "../ui.js";

/** An ISO time from a datetime-local value read as Beijing time: the console shows every time
 * in Beijing time (labels.js fmtTime), whatever the browser's zone, so it reads them so too. */
export function localToIso(value) {
  if (!value) return "";
  const seconds = value.length === 16 ? ":00" : ""; // "YYYY-MM-DDTHH:MM" carries none
  return new Date(`${value}${seconds}+08:00`).toISOString();
}

/** What the return said, for staff and office alike (null when never returned). */
export function returnedView(entry) {
  const r = entry.returned;
  if (!r) return null;
  return alertBox(
    entry.status === "returned" ? "warn" : "info",
    `已退回修改：${r.reasons}（请于 ${fmtTime(r.due)} 前修改并重新提交）`,
    (r.fields || []).map((f) => `请修改：${f}`),
  );
}

export function returnForm(entry, onDone) {
  if (entry.status !== "submitted") return returnedView(entry) || h("p.muted.small", {}, "只有已提交的项目可以退回修改。");
  const error = h("div", { "aria-live": "assertive" });
  const reasons = h("textarea#return-reasons", { name: "reasons", required: true, maxlength: 2000 });
  const due = h("input#return-due", { type: "datetime-local", name: "due", required: true });
  const fields = formFields(entry.category).map((f) =>
    h("label.row.small", {}, h("input", { type: "checkbox", name: "fields", value: f.name }), f.label),
  );
  const form = h(
    "form#return-form",
    {
      onsubmit: (ev) => {
        ev.preventDefault();
        const picked = [...form.querySelectorAll("input[name=fields]:checked")].map((i) => i.value);
        busy(form.querySelector("button"), async () => {
          error.replaceChildren();
          try {
            const body = { reasons: reasons.value.trim(), fields: picked, due: localToIso(due.value) };
            const after = await post(`/api/v1/submissions/${entry.id}/return`, body);
            toast("已退回修改");
            onDone(after);
          } catch (e) {
            if (!(e instanceof ApiError)) throw e;
            const items = Object.entries(e.fields || {}).map(([k, v]) => `${k}：${[].concat(v).join("；")}`);
            error.replaceChildren(alertBox("error", e.message, items));
          }
        });
      },
    },
    h("label", { for: "return-reasons" }, "退回理由"),
    reasons,
    h("details", {}, h("summary", {}, "需修改的字段（可选）"), h("div.fields-pick", {}, fields)),
    h("label", { for: "return-due" }, "修改期限（北京时间）"),
    due,
    error,
    h("div.row", {}, h("button.btn.btn-danger#return-entry", { type: "submit" }, "退回修改")),
  );
  return form;
}
