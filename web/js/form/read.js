// Reading the receipt form back: each field's value, and a PATCH body of what changed.

import { sectionsFor } from "./layout.js";
import { fid } from "./ids.js";

/** The rows of a repeated field (partners, awards) as they stand, strings as typed. */
export function readRows(list) {
  return [...list.querySelectorAll("[data-row]")].map((row) => {
    const item = {};
    row.querySelectorAll("[data-key]").forEach((el) => (item[el.dataset.key] = el.value));
    return item;
  });
}

/** Rows with something in them, trimmed, integers (a year) as numbers; undefined if none. */
function cleanRows(field, rows) {
  const integers = field.item.fields.filter((f) => f.type === "integer").map((f) => f.name);
  const kept = rows
    .filter((row) => Object.values(row).some((v) => String(v).trim() !== ""))
    .map((row) => {
      const item = {};
      for (const [k, v] of Object.entries(row)) {
        const text = String(v).trim();
        if (text === "") continue;
        item[k] = integers.includes(k) && /^\d+$/.test(text) ? Number(text) : text;
      }
      return item;
    });
  return kept.length ? kept : undefined;
}

function readField(form, field) {
  if (field.kind === "rows") return cleanRows(field, readRows(form.querySelector(`[data-repeat="${field.path}"]`)));
  const raw = form.querySelector(`#${fid(field.path)}`).value;
  if (field.kind === "bool") return raw === "" ? undefined : raw === "true";
  if (field.kind === "lines") {
    const lines = raw.split("\n").map((l) => l.trim()).filter(Boolean);
    return lines.length ? lines : undefined;
  }
  if (field.kind === "textarea") return raw.trim() === "" ? undefined : raw;
  const text = raw.trim();
  return text === "" ? undefined : text;
}

const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** What the form says, field by field: {top: {name: value}, nested: {object: {key: value}}}. */
function readAll(form, category, current) {
  const top = {};
  const nested = {};
  for (const field of sectionsFor(category).flatMap((s) => s.fields)) {
    const value = readField(form, field);
    const [head, key] = field.path.split(".");
    if (!key) {
      top[head] = value;
      continue;
    }
    nested[head] = nested[head] || {};
    if (value !== undefined) nested[head][key] = value;
    else if (Array.isArray(current[head]?.[key]) && current[head][key].length) nested[head][key] = []; // a list emptied
  }
  return { top, nested };
}

/** A PATCH body with what differs from `current` (the entry's stored fields). A top-level
 * field emptied becomes null (the API clears it); a nested object is merged key by key. */
export function changes(form, category, current = {}) {
  const body = {};
  const { top, nested } = readAll(form, category, current);
  for (const [name, value] of Object.entries(top)) {
    if (value === undefined) {
      if (current[name] !== undefined && current[name] !== null) body[name] = null;
    } else if (!same(value, current[name])) {
      body[name] = value;
    }
  }
  for (const [group, values] of Object.entries(nested)) {
    const before = current[group] || {};
    const changed = Object.fromEntries(Object.entries(values).filter(([k, v]) => !same(v, before[k])));
    if (Object.keys(values).length === 0) {
      if (current[group]) body[group] = null;
    } else if (Object.keys(changed).length) {
      body[group] = changed;
    }
  }
  return body;
}
