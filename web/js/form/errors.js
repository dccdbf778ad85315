// The API's `error.fields` shown beside the fields they are about.

import { fid } from "./ids.js";
import { labelOf } from "./layout.js";

/** The slot for `path` or its nearest enclosing one (`awards.0.year` → `awards`), with the path it is for. */
function slotFor(form, path) {
  let at = path;
  while (at) {
    const slot = form.querySelector(`[data-error-for="${CSS.escape(at)}"]`);
    if (slot) return { slot, at };
    at = at.includes(".") ? at.slice(0, at.lastIndexOf(".")) : "";
  }
  return { slot: null, at };
}

/** Put the API's `error.fields` next to their fields; returns messages that have no place. */
export function showErrors(form, fields) {
  clearErrors(form);
  const loose = [];
  let first = null;
  for (const [path, messages] of Object.entries(fields || {})) {
    const text = [].concat(messages).join("；");
    const { slot, at } = slotFor(form, path);
    if (!slot) {
      loose.push(`${labelOf(path) || path}：${text}`);
      continue;
    }
    const prefix = at !== path ? `${labelOf(path) || path.slice(at.length + 1)}：` : "";
    slot.textContent = slot.textContent ? `${slot.textContent}；${prefix}${text}` : prefix + text;
    const input = form.querySelector(`#${CSS.escape(fid(at))}`);
    if (input) input.setAttribute("aria-invalid", "true");
    first = first || input || slot;
  }
  if (first && first.focus) first.focus();
  return loose;
}

export function clearErrors(form) {
  form.querySelectorAll("[data-error-for]").forEach((el) => (el.textContent = ""));
  form.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
}
