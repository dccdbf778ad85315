// Small DOM helpers: build elements, badges, alerts, toasts. Text goes in as text, never HTML.

/** h("button.btn#save", {type: "button", onclick}, "保存") */
export function h(spec, attrs = {}, ...children) {
  const [, tag = "div", rest = ""] = /^([a-z0-9]+)?(.*)$/i.exec(spec);
  const el = document.createElement(tag);
  for (const part of rest.match(/[.#][^.#]+/g) || []) {
    if (part[0] === ".") el.classList.add(part.slice(1));
    else el.id = part.slice(1);
  }
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    // Through CSSOM: allowed by the CSP (style-src 'self'), where a style attribute is not.
    else if (key === "style") el.style.cssText = value;
    else if (key === "value") el.value = value;
    else if (key === "checked" || key === "selected" || key === "disabled") el[key] = Boolean(value);
    else el.setAttribute(key, value === true ? "" : value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

export function badge(code, text) {
  return h(`span.badge.b-${code || "none"}`, { dataset: { state: code || "" } }, text || code || "");
}

export function alertBox(kind, message, items = []) {
  return h(
    `div.alert.alert-${kind}`,
    { role: kind === "error" ? "alert" : "status" },
    h("div", {}, message),
    items.length ? h("ul", {}, items.map((i) => h("li", {}, i))) : null,
  );
}

export function toast(message, kind = "ok") {
  const box = document.getElementById("toasts");
  const el = h(`div.toast${kind === "error" ? ".error" : ""}`, {}, message);
  box.append(el);
  setTimeout(() => el.remove(), 5000);
}

export function clear(el) {
  el.replaceChildren();
  return el;
}

/** A select with an empty "请选择" first option. */
export function select(attrs, options, value, emptyText = "请选择") {
  return h(
    "select",
    attrs,
    emptyText === null ? null : h("option", { value: "" }, emptyText),
    Object.entries(options).map(([code, text]) => h("option", { value: code, selected: code === value }, text)),
  );
}

/** Render `table` as rows: columns [{label, cell(row) -> node|string, num}]. */
export function dataTable(columns, rows, { caption, empty = "暂无数据", cards = true } = {}) {
  if (!rows.length) return h("p.muted", {}, empty);
  return h(
    "div.table-wrap",
    {},
    h(
      `table${cards ? ".cards" : ""}`,
      {},
      caption ? h("caption.sr-only", {}, caption) : null,
      h("thead", {}, h("tr", {}, columns.map((c) => h(`th${c.num ? ".num" : ""}`, { scope: "col" }, c.label)))),
      h(
        "tbody",
        {},
        rows.map((row) =>
          h("tr", {}, columns.map((c) => h(`td${c.num ? ".num" : ""}`, { "data-label": c.label }, c.cell(row)))),
        ),
      ),
    ),
  );
}

export function pager(page, perPage, total, onPage) {
  const pages = Math.max(1, Math.ceil(total / perPage));
  return h(
    "nav.pager",
    { "aria-label": "分页" },
    h("span.muted.small", {}, `共 ${total} 条，第 ${page} / ${pages} 页`),
    h("button.btn.btn-secondary.btn-small", { type: "button", disabled: page <= 1, onclick: () => onPage(page - 1) }, "上一页"),
    h("button.btn.btn-secondary.btn-small", { type: "button", disabled: page >= pages, onclick: () => onPage(page + 1) }, "下一页"),
  );
}

/** Run `work` with the button disabled; errors are shown by `onError`. */
export async function busy(button, work) {
  const before = button ? button.disabled : false;
  if (button) button.disabled = true;
  try {
    return await work();
  } finally {
    if (button) button.disabled = before;
  }
}

/** The page's main area, where a view puts what it shows. */
export const mainArea = () => document.getElementById("main");
