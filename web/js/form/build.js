// The receipt form's DOM for one category, filled from an entry: a fieldset per section, a
// control per field, an error slot beside each (see errors.js), repeated rows for lists.

import { industries, industryName, regionName, regions } from "../catalog.js";
import { h, select } from "../ui.js";
import { eid, fid } from "./ids.js";
import { sectionsFor } from "./layout.js";
import { readRows } from "./read.js";

const byCode = (choices) => Object.fromEntries(choices.map((c) => [c.code, c.label]));

function getPath(obj, path) {
  return path.split(".").reduce((o, k) => (o == null ? undefined : o[k]), obj);
}

export function errorSlot(path) {
  return h("div.field-error", { id: eid(path), "data-error-for": path, "aria-live": "polite" });
}

const REGION_LIST = "regions-sichuan";

// The suggestions of every region picker: Sichuan's places, name shown, code filled in. Made
// once per form (a form is rebuilt whole, and the list is the same for each picker in it).
function regionList() {
  return h(
    "datalist",
    { id: REGION_LIST },
    regions().map(([code, name]) => h("option", { value: code, label: name }, name)),
  );
}

// A searchable picker of a GB/T 2260 code: typing a name or a code offers Sichuan's places; the
// code is what is stored, and the name of the chosen one is shown beside it.
function regionControl(common, value) {
  const input = h("input", {
    ...common,
    type: "text",
    list: REGION_LIST,
    inputmode: "numeric",
    value: value ?? "",
    placeholder: "输入地名或代码查找",
    autocomplete: "off",
  });
  const named = h("div.hint", { "data-region-name": common.name, "aria-live": "polite" });
  const show = () => {
    const code = input.value.trim();
    named.textContent = code ? regionName(code) || (/^\d{6}$/.test(code) ? "（四川省以外或未收录的代码，保存时由系统核对）" : "") : "";
  };
  input.addEventListener("input", show);
  show();
  return h("div", {}, input, named);
}

const INDUSTRY_LIST = "industries-gbt4754";

// A searchable picker of GB/T 4754-2017 codes for a list of industries: typing a name or a code
// offers the 门类 and 大类; choosing one adds its code as a line of the list (what is stored),
// and the names of the codes listed are shown below it.
function industryLines(common, value) {
  const lines = h("textarea", { ...common, rows: 2, value: (value || []).join("\n") });
  const named = h("div.hint", { "data-industry-names": common.name, "aria-live": "polite" });
  const show = () => {
    const codes = lines.value.split("\n").map((l) => l.trim()).filter(Boolean);
    named.textContent = codes.map((c) => `${c} ${industryName(c) || "（未知代码）"}`).join("；");
  };
  const search = h("input", {
    type: "text",
    list: INDUSTRY_LIST,
    placeholder: "输入行业名称或代码查找并添加",
    autocomplete: "off",
    "aria-label": "查找行业（国民经济行业分类）",
  });
  search.addEventListener("change", () => {
    const code = search.value.trim().split(/\s/)[0];
    if (!industryName(code)) return;
    const now = lines.value.split("\n").map((l) => l.trim()).filter(Boolean);
    if (!now.includes(code)) lines.value = [...now, code].join("\n");
    search.value = "";
    show();
  });
  lines.addEventListener("input", show);
  show();
  return h(
    "div",
    {},
    search,
    h("datalist", { id: INDUSTRY_LIST }, industries().map(([code, name]) => h("option", { value: `${code} ${name}` }))),
    lines,
    named,
  );
}

function control(field, value) {
  const id = fid(field.path);
  const common = { id, name: field.path, "aria-describedby": eid(field.path) };
  switch (field.kind) {
    case "region":
      return regionControl(common, value);
    case "textarea":
      return h("textarea", { ...common, value: value ?? "" });
    case "select":
      return select(common, byCode(field.choices), value);
    case "bool":
      return select(common, { true: "是", false: "否" }, value == null ? "" : String(value), "请选择");
    case "lines":
      if (field.item && field.item.type === "industry") return industryLines(common, value);
      return h("textarea", { ...common, rows: 3, value: (value || []).join("\n") });
    default:
      return h("input", {
        ...common,
        type: field.kind === "tel" ? "tel" : field.kind === "email" ? "email" : "text",
        value: value ?? "",
        placeholder: field.placeholder,
        autocomplete: "off",
      });
  }
}

// One row of a repeated field: a cell per item field (the first labelled "奖项 1 名称").
function repeatRow(field, index, item, onRemove) {
  const base = `${field.path}.${index}`;
  const n = index + 1;
  const cell = (sub, i) => {
    const id = fid(`${base}.${sub.name}`);
    const describedBy = eid(`${base}.${sub.name}`);
    const input =
      sub.type === "choice"
        ? select({ id, "data-key": sub.name, "aria-describedby": describedBy }, byCode(sub.choices), item[sub.name])
        : h("input", {
            id,
            type: sub.type === "integer" ? "number" : "text",
            "data-key": sub.name,
            value: item[sub.name] ?? "",
            "aria-describedby": describedBy,
          });
    const text = i === 0 ? `${field.noun} ${n} ${sub.label}` : sub.label;
    return h("div", {}, h("label", { for: id }, text), input, errorSlot(`${base}.${sub.name}`));
  };
  const remove = h("button.btn.btn-danger.btn-small", { type: "button", onclick: onRemove }, `删除第 ${n} 项`);
  const fields = field.item.fields;
  return h(`div.repeat-row${fields.length === 2 ? ".two" : ""}`, { "data-row": field.path }, fields.map(cell), h("div", {}, remove));
}

function repeatField(field, items, disabled) {
  const list = h("div", { "data-repeat": field.path });
  const rerender = (values) => {
    list.replaceChildren(
      ...values.map((item, i) =>
        repeatRow(field, i, item, () => {
          const now = readRows(list);
          now.splice(i, 1);
          rerender(now);
        }),
      ),
    );
    if (disabled) list.querySelectorAll("input,select,button").forEach((el) => (el.disabled = true));
  };
  rerender(items || []);
  const onclick = () => {
    rerender([...readRows(list), {}]);
    const inputs = list.querySelectorAll("[data-row]:last-child input");
    if (inputs.length) inputs[0].focus();
  };
  const add = h("button.btn.btn-secondary.btn-small", { type: "button", disabled, onclick }, field.add);
  return h("div", { role: "group", "aria-labelledby": fid(field.path) + "-label" }, list, add);
}

function fieldBox(field, value, disabled) {
  const labelId = fid(field.path) + "-label";
  const label =
    field.kind === "rows"
      ? h("span.label", { id: labelId }, field.label, field.required ? h("span.req", {}, "*") : null)
      : h(
          "label",
          { for: fid(field.path), id: labelId },
          field.label,
          field.required ? h("span.req", { title: "提交前必填", "aria-label": "（提交前必填）" }, "*") : null,
        );
  return h(
    `div.field${field.wide ? ".wide" : ""}`,
    { "data-field": field.path },
    label,
    field.kind === "rows" ? repeatField(field, value, disabled) : control(field, value),
    field.hint ? h("div.hint", {}, field.hint) : null,
    errorSlot(field.path),
  );
}

/** The form element for `category`, filled from `entry` (fields only). */
export function buildForm(category, entry = {}, { disabled = false } = {}) {
  const form = h("form", { novalidate: true, "data-category": category, autocomplete: "off" });
  form.append(errorSlot("_body"), regionList());
  for (const section of sectionsFor(category)) {
    const box = h("div.fields", {}, section.fields.map((f) => fieldBox(f, getPath(entry, f.path), disabled)));
    form.append(h("fieldset", { disabled }, h("legend", {}, section.title), section.group ? errorSlot(section.group) : null, box));
  }
  return form;
}
