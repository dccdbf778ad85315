// The receipt form (回执) per category: which fields each category takes comes from api.md's
// field table; a category's form shows only its own fields. The form reads back into a PATCH
// body holding only what changed, and shows the API's `error.fields` next to the fields.

import { OPTIONS } from "./labels.js";
import { h, select } from "./ui.js";

const ALL = ["achievement", "promotion", "challenge", "finance"];
const SUPPLY = ["achievement", "promotion"];

// Sections of the form. `cats`: categories that take the field (default: the section's);
// `req`: categories for which it is required to submit (R in api.md; marked with *).
export const SECTIONS = [
  {
    title: "基本信息",
    cats: ALL,
    fields: [
      { path: "title", label: "项目名称", kind: "text", req: ALL, wide: true },
      { path: "summary", label: "项目简介", kind: "textarea", req: ALL, wide: true },
      { path: "benefits", label: "效益（经济、社会或生态效益）", kind: "textarea", req: ALL, wide: true },
      {
        path: "platform_listing_id",
        label: "天府科技云平台发布编号",
        kind: "text",
        req: ALL,
        hint: "项目在天府科技云平台发布后的编号，只能包含英文字母、数字、- 和 _",
      },
    ],
  },
  {
    title: "申报单位",
    group: "applicant",
    cats: ALL,
    fields: [
      { path: "applicant.name", label: "单位名称", kind: "text", req: ALL, wide: true },
      { path: "applicant.type", label: "单位类型", kind: "select", req: ALL },
      { path: "applicant.province", label: "所在省份", kind: "text", req: ALL, placeholder: "四川省" },
      { path: "applicant.city", label: "所在市（州）", kind: "text", req: ALL, placeholder: "巴中市" },
      { path: "applicant.district", label: "所在区县", kind: "text", req: ALL },
    ],
  },
  {
    title: "联系人",
    group: "contact",
    cats: ALL,
    fields: [
      { path: "contact.name", label: "姓名", kind: "text", req: ALL },
      { path: "contact.phone", label: "联系电话", kind: "tel", req: ALL, hint: "手机号或带区号的固定电话，如 0827-5223387" },
      { path: "contact.email", label: "电子邮箱", kind: "email", req: [] },
    ],
  },
  {
    title: "声明",
    group: "declarations",
    cats: ALL,
    fields: [
      { path: "declarations.lawful", label: "符合法律法规和社会公德，不危害公共利益、环境和资源", kind: "bool", req: ALL, wide: true },
      { path: "declarations.state_secret", label: "涉及国家秘密", kind: "bool", req: ALL },
      { path: "declarations.statutory_review", label: "法定机构审查", kind: "select", req: SUPPLY, hint: "法律规定须经法定机构审查的，是否已完成审查" },
    ],
  },
  {
    title: "知识产权与技术水平",
    cats: SUPPLY,
    group: "ip",
    fields: [
      { path: "ip.ownership_clear", label: "权属清晰、权利义务明确", kind: "bool", req: SUPPLY },
      { path: "ip.dispute", label: "知识产权或法律纠纷", kind: "select", req: SUPPLY },
      { path: "ip.patents", label: "专利号", kind: "lines", req: [], wide: true, hint: "每行一个，如 ZL202010000000.1" },
      { path: "tech_level", label: "技术水平", kind: "select", req: SUPPLY },
      { path: "deployment", label: "应用阶段", kind: "select", req: SUPPLY },
    ],
  },
  {
    title: "合作与荣誉",
    cats: ["promotion"],
    fields: [
      { path: "lead_enterprise", label: "牵头企业", kind: "text", req: ["promotion"], wide: true },
      { path: "partners", label: "技术合作单位（高校或科研院所）", kind: "partners", req: ["promotion"], wide: true },
      { path: "agreement_signed", label: "已签订合作合同（协议）", kind: "bool", req: ["promotion"] },
      { path: "plan_project", label: "科技计划项目", kind: "select", req: [] },
      { path: "awards", label: "获奖情况", kind: "awards", req: [], wide: true },
    ],
  },
  {
    title: "难题情况",
    cats: ["challenge"],
    fields: [
      { path: "solved", label: "该难题已攻克", kind: "bool", req: ["challenge"] },
      { path: "cooperation_mode", label: "合作方式", kind: "select", req: ["challenge"] },
    ],
  },
  {
    title: "金融产品",
    cats: ["finance"],
    fields: [
      { path: "institution", label: "发布机构", kind: "text", req: ["finance"] },
      { path: "product_type", label: "产品类型", kind: "select", req: ["finance"] },
    ],
  },
];

const GROUPS = ["applicant", "contact", "declarations", "ip"];
const fid = (path) => "f-" + path.replace(/\./g, "-");
const eid = (path) => "e-" + path.replace(/\./g, "-");

export function fieldsOf(category) {
  return SECTIONS.filter((s) => s.cats.includes(category)).flatMap((s) => s.fields);
}

/** Every label by path, for messages about fields that have no place of their own. */
export function labelOf(path) {
  for (const s of SECTIONS) {
    if (s.group === path) return s.title;
    for (const f of s.fields) if (f.path === path) return f.label;
  }
  return null;
}

function getPath(obj, path) {
  return path.split(".").reduce((o, k) => (o == null ? undefined : o[k]), obj);
}

function errorSlot(path) {
  return h("div.field-error", { id: eid(path), "data-error-for": path, "aria-live": "polite" });
}

function control(field, value) {
  const id = fid(field.path);
  const common = { id, name: field.path, "aria-describedby": eid(field.path) };
  switch (field.kind) {
    case "textarea":
      return h("textarea", { ...common, value: value ?? "" });
    case "select":
      return select(common, OPTIONS[field.path], value);
    case "bool":
      return select(common, { true: "是", false: "否" }, value == null ? "" : String(value), "请选择");
    case "lines":
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

function repeatRow(kind, index, item, onRemove) {
  const base = `${kind}.${index}`;
  const n = index + 1;
  const cell = (key, text, input) =>
    h("div", {}, h("label", { for: fid(`${base}.${key}`) }, text), input, errorSlot(`${base}.${key}`));
  const input = (key, type = "text") =>
    h("input", {
      id: fid(`${base}.${key}`),
      type,
      "data-key": key,
      value: item[key] ?? "",
      "aria-describedby": eid(`${base}.${key}`),
    });
  const selectFor = (key, options) =>
    select({ id: fid(`${base}.${key}`), "data-key": key, "aria-describedby": eid(`${base}.${key}`) }, options, item[key]);
  const remove = h("button.btn.btn-danger.btn-small", { type: "button", onclick: onRemove }, `删除第 ${n} 项`);
  if (kind === "partners") {
    return h(
      "div.repeat-row.two",
      { "data-row": kind },
      cell("name", `合作单位 ${n} 名称`, input("name")),
      cell("type", "类型", selectFor("type", OPTIONS["partners.type"])),
      h("div", {}, remove),
    );
  }
  return h(
    "div.repeat-row",
    { "data-row": kind },
    cell("name", `奖项 ${n} 名称`, input("name")),
    cell("level", "级别", selectFor("level", OPTIONS["awards.level"])),
    cell("year", "年份", input("year", "number")),
    h("div", {}, remove),
  );
}

function repeatField(field, items, disabled) {
  const list = h("div", { "data-repeat": field.path });
  const addText = field.kind === "partners" ? "添加合作单位" : "添加奖项";
  const rerender = (values) => {
    list.replaceChildren(
      ...values.map((item, i) =>
        repeatRow(field.kind, i, item, () => {
          const now = readRepeat(list);
          now.splice(i, 1);
          rerender(now);
        }),
      ),
    );
    if (disabled) list.querySelectorAll("input,select,button").forEach((el) => (el.disabled = true));
  };
  rerender(items || []);
  const add = h(
    "button.btn.btn-secondary.btn-small",
    {
      type: "button",
      disabled,
      onclick: () => {
        rerender([...readRepeat(list), {}]);
        const inputs = list.querySelectorAll("[data-row]:last-child input");
        if (inputs.length) inputs[0].focus();
      },
    },
    addText,
  );
  return h("div", { role: "group", "aria-labelledby": fid(field.path) + "-label" }, list, add);
}

function readRepeat(list) {
  return [...list.querySelectorAll("[data-row]")].map((row) => {
    const item = {};
    row.querySelectorAll("[data-key]").forEach((el) => (item[el.dataset.key] = el.value));
    return item;
  });
}

/** The form element for `category`, filled from `entry` (fields only). */
export function buildForm(category, entry = {}, { disabled = false } = {}) {
  const form = h("form", { novalidate: true, "data-category": category, autocomplete: "off" });
  form.append(errorSlot("_body"));
  for (const section of SECTIONS.filter((s) => s.cats.includes(category))) {
    const box = h("div.fields");
    for (const field of section.fields) {
      const required = field.req.includes(category);
      const value = getPath(entry, field.path);
      const labelEl = h(
        "label",
        { for: fid(field.path), id: fid(field.path) + "-label" },
        field.label,
        required ? h("span.req", { title: "提交前必填", "aria-label": "（提交前必填）" }, "*") : null,
      );
      const input =
        field.kind === "partners" || field.kind === "awards"
          ? repeatField(field, value, disabled)
          : control(field, value);
      box.append(
        h(
          `div.field${field.wide ? ".wide" : ""}`,
          { "data-field": field.path },
          field.kind === "partners" || field.kind === "awards"
            ? h("span.label", { id: fid(field.path) + "-label" }, field.label, required ? h("span.req", {}, "*") : null)
            : labelEl,
          input,
          field.hint ? h("div.hint", {}, field.hint) : null,
          errorSlot(field.path),
        ),
      );
    }
    const fs = h("fieldset", { disabled }, h("legend", {}, section.title), section.group ? errorSlot(section.group) : null, box);
    form.append(fs);
  }
  return form;
}

function readField(form, field) {
  if (field.kind === "partners" || field.kind === "awards") {
    const rows = readRepeat(form.querySelector(`[data-repeat="${field.path}"]`))
      .filter((row) => Object.values(row).some((v) => String(v).trim() !== ""))
      .map((row) => {
        const item = {};
        for (const [k, v] of Object.entries(row)) {
          const text = String(v).trim();
          if (text === "") continue;
          item[k] = k === "year" && /^\d+$/.test(text) ? Number(text) : text;
        }
        return item;
      });
    return rows.length ? rows : undefined;
  }
  const el = form.querySelector(`#${fid(field.path)}`);
  const raw = el.value;
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

/** A PATCH body with what differs from `current` (the entry's stored fields). A top-level
 * field emptied becomes null (the API clears it); a nested object is merged key by key. */
export function changes(form, category, current = {}) {
  const body = {};
  const nested = {};
  for (const field of fieldsOf(category)) {
    const value = readField(form, field);
    const [head, key] = field.path.split(".");
    if (key && GROUPS.includes(head)) {
      nested[head] = nested[head] || {};
      if (value !== undefined) nested[head][key] = value;
      else if (key === "patents" && current.ip?.patents?.length) nested[head][key] = [];
      continue;
    }
    if (value === undefined) {
      if (current[field.path] !== undefined && current[field.path] !== null) body[field.path] = null;
    } else if (!same(value, current[field.path])) {
      body[field.path] = value;
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

/** Put the API's `error.fields` next to their fields; returns messages that have no place. */
export function showErrors(form, fields) {
  clearErrors(form);
  const loose = [];
  let first = null;
  for (const [path, messages] of Object.entries(fields || {})) {
    const text = [].concat(messages).join("；");
    let slot = null;
    let at = path;
    while (at) {
      slot = form.querySelector(`[data-error-for="${CSS.escape(at)}"]`);
      if (slot) break;
      at = at.includes(".") ? at.slice(0, at.lastIndexOf(".")) : "";
    }
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
