// The forms city staff act with on one entry: the review (审核), the selection (遴选) and the
// service officer (保姆).

import { ApiError, post, request } from "../api.js";
import { REVIEW_DECISIONS, SELECTIONS } from "../labels.js";
import { alertBox, busy, h, toast } from "../ui.js";

/** Which decisions an entry allows, given its screening `s`: {reviewable, selectable}. */
export function allowed(entry, s) {
  return { reviewable: s.state === "in_review", selectable: entry.status === "submitted" && s.state !== "pending" };
}

function radios(id, options, enabled) {
  return Object.entries(options).map(([code, text], i) =>
    h(
      "label.row",
      { for: `${id}-${code}`, style: "font-weight:400" },
      h("input", { type: "radio", name: `${id}-decision`, id: `${id}-${code}`, value: code, checked: i === 0, disabled: !enabled }),
      text,
    ),
  );
}

function decisionForm({ id, legend, options, enabled, why, submitText, send, done }) {
  const message = h("div", { "aria-live": "assertive" });
  const note = h("textarea", { id: `${id}-note`, name: "note", rows: 2, maxlength: 2000, disabled: !enabled });
  const button = h("button.btn", { type: "submit", disabled: !enabled }, submitText);
  const record = async (decision) => {
    try {
      await send({ decision, note: note.value });
      message.replaceChildren(alertBox("ok", `已记录：${options[decision]}`));
      toast(`已记录：${options[decision]}`);
      await done();
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      message.replaceChildren(alertBox("error", e.message, Object.entries(e.fields).map(([k, v]) => `${k}：${[].concat(v).join("；")}`)));
    }
  };
  const onsubmit = async (event) => {
    event.preventDefault();
    const decision = event.currentTarget.querySelector(`input[name="${id}-decision"]:checked`).value;
    await busy(button, () => record(decision));
  };
  return h(
    "form",
    { id: `${id}-form`, style: "margin-bottom:1rem", onsubmit },
    h(
      "fieldset",
      {},
      h("legend", {}, legend),
      message,
      h("div.row", { role: "radiogroup" }, radios(id, options, enabled)),
      h("label", { for: `${id}-note` }, "说明（可选）"),
      note,
      enabled ? null : h("p.hint", {}, why),
      h("div.row", { style: "margin-top:.5rem" }, button),
    ),
  );
}

/** A decision on the entry version the staff member is shown (`If-Match`): screening refuses
 * it (409, 请刷新后重试) while it has not applied that version or once the entry moved on. */
export function decide(entry, path, body) {
  return request("POST", path, { body, headers: { "If-Match": `"${entry.version}"` } });
}

/** The review and selection forms for an entry whose screening is `s`; `done` refreshes. */
export function decisions(entry, s, done) {
  const { reviewable, selectable } = allowed(entry, s);
  return h(
    "div",
    {},
    decisionForm({
      id: "review",
      legend: "审核结论",
      options: REVIEW_DECISIONS,
      enabled: reviewable,
      why: "只有“待审核”的项目可以审核（不符合条件或缺材料的项目由筛查规则决定）。",
      submitText: "提交审核",
      send: (body) => decide(entry, `/api/v1/screenings/${entry.id}/review`, body),
      done,
    }),
    decisionForm({
      id: "selection",
      legend: "市科协遴选",
      options: SELECTIONS,
      enabled: selectable,
      why: "项目提交并完成筛查后才能遴选；只有符合条件的项目可以入选。",
      submitText: "记录遴选结果",
      send: (body) => decide(entry, `/api/v1/screenings/${entry.id}/selection`, body),
      done,
    }),
    forwardedNote(s),
  );
}

/** 四(二): the city selects only what the district forwarded, as forwarded. */
function forwardedNote(s) {
  const f = s.forwarded;
  if (f && !f.changed) return h("p.hint", { "data-forwarded": f.number }, `区县已于第${f.number}批报送该项目。`);
  const text = f
    ? `项目在区县报送（第${f.number}批）后已修改：须区县报送补充批次后才能入选。`
    : "该项目尚未由区县汇总报送：须区县报送（补充批次）后才能入选。";
  return h("p.hint", { "data-forwarded": f ? "changed" : "none" }, text);
}

export function officerForm(entry) {
  const message = h("div", { "aria-live": "assertive" });
  const input = (id, type, value) => h("input", { type, id, value, "aria-describedby": `${id}-err` });
  // The office's proposal, if any, fills the form: assigning it is the confirmation.
  const proposed = entry.officer_proposal;
  const name = input("officer-name", "text", proposed ? proposed.name : entry.officer ? entry.officer.name : "");
  const phone = input("officer-phone", "tel", proposed ? proposed.phone : entry.officer ? entry.officer.phone : "");
  const nameErr = h("div.field-error", { id: "officer-name-err" });
  const phoneErr = h("div.field-error", { id: "officer-phone-err" });
  const button = h("button.btn.btn-secondary", { type: "submit" }, proposed ? "确认区县提议的保姆" : entry.officer ? "更换服务专员" : "指派服务专员");
  const assign = async () => {
    try {
      const updated = await post(`/api/v1/submissions/${entry.id}/service-officer`, { name: name.value.trim(), phone: phone.value.trim() });
      message.replaceChildren(alertBox("ok", `已指派：${updated.officer.name}`));
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      nameErr.textContent = [].concat(e.fields.name || []).join("；");
      phoneErr.textContent = [].concat(e.fields.phone || []).join("；");
      message.replaceChildren(alertBox("error", e.message));
    }
  };
  const onsubmit = async (event) => {
    event.preventDefault();
    nameErr.textContent = phoneErr.textContent = "";
    await busy(button, assign);
  };
  const field = (id, text, el, err) => h("div.field", {}, h("label", { for: id }, text), el, err);
  return h(
    "form",
    { onsubmit },
    proposed ? h("p.small", { "data-proposal": "pending" }, `区县提议：${proposed.name}（${proposed.phone}），确认即指派；也可改后指派。`) : null,
    message,
    h("div.fields", {}, field("officer-name", "姓名", name, nameErr), field("officer-phone", "电话", phone, phoneErr)),
    h("div.row", { style: "margin-top:.6rem" }, button),
  );
}
