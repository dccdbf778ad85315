// The calls an office may enter projects in, as intake lists them (`GET /api/v1/calls`): their
// window in Beijing time, categories and contact. Read afresh by each view that shows them, since
// a call opens and closes while the console stays open.

import { get } from "./api.js";
import { alertBox, h } from "./ui.js";

/** The calls the signed-in user may use (an office: those its district takes part in). */
export async function loadCalls() {
  return (await get("/api/v1/calls")).items;
}

/** The calls that take entries now: open, or (an office) its district's extension still runs. */
export const openCalls = (calls) => calls.filter((c) => c.is_open || c.accepts_entries);

function contactText(contact) {
  if (!contact) return null;
  return `联系人：${contact.name}，电话 ${contact.phone}${contact.email ? `，邮箱 ${contact.email}` : ""}`;
}

/** The deadline banner of one call: open until when, or closed since when, and whom to ask. */
export function deadlineBanner(call) {
  const extended = !call.is_open && call.accepts_entries && call.extended_until_text;
  const text = call.is_open
    ? `「${call.title}」正在征集，截止时间：${call.closes_text}。截止后不能再提交项目或上传材料。`
    : extended
      ? `「${call.title}」已于 ${call.closes_text} 截止；本区县获准延期至 ${call.extended_until_text}，此前仍可新建、提交项目和上传材料。`
      : `「${call.title}」已于 ${call.closes_text} 截止（开始于 ${call.opens_text}）。`;
  const box = alertBox(call.is_open || extended ? "info" : "warn", text);
  if (extended) box.dataset.extendedUntil = call.extended_until;
  box.dataset.call = call.id;
  box.classList.add("deadline");
  const contact = contactText(call.contact);
  if (contact) box.append(h("div.small", {}, contact));
  return box;
}

/** The banners for the open calls, or a notice that none is open. */
export function openCallsBanner(calls) {
  const open = openCalls(calls);
  if (open.length) return h("div", {}, open.map(deadlineBanner));
  return alertBox("warn", "当前没有正在进行的征集：可以保存草稿，但不能提交。");
}
