// An office's returned entry (已退回修改): the return's reasons and due time above the form,
// and a note beside each field the city named, so the office sees what to change.

import { fmtTime } from "../labels.js";
import { alertBox, h } from "../ui.js";

export function markReturned(form, entry) {
  const r = entry && entry.status === "returned" ? entry.returned : null;
  if (!r) return null;
  for (const path of r.fields || []) {
    const field = form.querySelector(`[data-field="${CSS.escape(path)}"]`);
    if (field) field.append(h("p.field-returned.small", { role: "note" }, `已退回修改：${r.reasons}`));
  }
  return alertBox("warn", `已退回修改：${r.reasons}`, [`请于 ${fmtTime(r.due)} 前修改并重新提交（征集截止时间较晚的，截止前均可提交），逾期未提交将判为不符合条件。`]);
}
