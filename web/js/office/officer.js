// The entry's service officer (保姆) as its office sees it: the one staff assigned, or the one
// the office proposed and staff have yet to confirm, and a form to propose one (the notice
// promises a 保姆 for every project; staff confirm by assigning).

import { ApiError, post } from "../api.js";
import { alertBox, busy, h } from "../ui.js";

/** The panel for `entry`; `changed(entry)` is told of the entry after a proposal. */
export function officerPanel(entry, changed) {
  const message = h("div", { "aria-live": "assertive" });
  const current = entry.officer
    ? h("p", {}, `服务专员（保姆）：${entry.officer.name}（${entry.officer.phone}）`)
    : h("p.muted", {}, "尚未指派服务专员（保姆）。");
  const pending = entry.officer_proposal
    ? h("p.small", { "data-proposal": "pending" }, `已提议：${entry.officer_proposal.name}（${entry.officer_proposal.phone}），待市科协确认。`)
    : null;
  const name = h("input", { type: "text", id: "propose-name", maxlength: 50 });
  const phone = h("input", { type: "tel", id: "propose-phone" });
  const button = h("button.btn.btn-secondary", { type: "submit" }, "提议保姆");
  const onsubmit = (event) => {
    event.preventDefault();
    return busy(button, async () => {
      try {
        const updated = await post(`/api/v1/submissions/${entry.id}/service-officer/proposal`, { name: name.value.trim(), phone: phone.value.trim() });
        message.replaceChildren(alertBox("ok", "已提议，待市科协确认。"));
        changed(updated);
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        message.replaceChildren(alertBox("error", e.message, Object.entries(e.fields).map(([k, v]) => `${k}：${[].concat(v).join("；")}`)));
      }
    });
  };
  return h(
    "form.panel",
    { id: "officer-proposal", onsubmit },
    h("h2", {}, "服务专员（保姆）"),
    current,
    pending,
    message,
    h("div.fields", {}, h("div.field", {}, h("label", { for: "propose-name" }, "姓名"), name), h("div.field", {}, h("label", { for: "propose-phone" }, "电话"), phone)),
    h("div.row", { style: "margin-top:.5rem" }, button),
  );
}
