// How the receipt form is laid out: which fields, labels, types and choices a category has come
// from intake's catalog; only presentation is decided here (the sections' headings, which
// fields span the row, placeholders and help text), keyed by field name. Pure: no DOM.

import { fieldLabel, formFields } from "../catalog.js";

// The receipt's sections, in order. A field belongs to the first section that names it or
// whose `group` (a nested object: `applicant.name`) it is in; anything else goes to "其他".
const SECTIONS = [
  { title: "基本信息", names: ["title", "summary", "benefits", "platform_listing_id"] },
  { title: "申报单位", group: "applicant" },
  { title: "联系人", group: "contact" },
  { title: "声明", group: "declarations" },
  { title: "项目负责人", group: "lead" },
  { title: "知识产权与技术水平", group: "ip", names: ["tech_level", "deployment"] },
  { title: "牵头单位", group: "lead_enterprise" },
  { title: "合作与荣誉", names: ["partners", "agreement_signed", "plan_project", "awards"] },
  { title: "难题情况", names: ["solved", "cooperation_mode"] },
  { title: "金融产品", names: ["institution", "product_type"] },
];
const OTHER = { title: "其他" };

const HINTS = {
  title: { wide: true },
  summary: { control: "textarea", wide: true },
  benefits: { control: "textarea", wide: true },
  platform_listing_id: { hint: "项目在天府科技云平台发布后的编号，只能包含英文字母、数字、- 和 _" },
  "applicant.name": { wide: true },
  "applicant.region_code": { hint: "输入地名或六位代码查找，如 巴州区、511902；四川省以外的地方请直接填写代码" },
  "applicant.province": { placeholder: "四川省", hint: "已选所在地（行政区划）的可不填" },
  "applicant.city": { placeholder: "巴中市" },
  "lead.region_code": { hint: "负责人所在单位的所在地：输入地名或六位代码查找" },
  "lead.affiliation": { wide: true },
  "lead_enterprise.name": { wide: true },
  "lead_enterprise.type": { hint: "推广项目须由企业牵头（二(二)1）" },
  "contact.phone": { hint: "手机号或带区号的固定电话，如 0827-5223387" },
  "declarations.lawful": { wide: true },
  "declarations.statutory_review": { hint: "法律规定须经法定机构审查的，是否已完成审查" },
  "ip.patents": { wide: true, hint: "每行一个，如 ZL202010000000.1" },
  partners: { wide: true, noun: "合作单位", add: "添加合作单位" },
  awards: { wide: true, noun: "奖项", add: "添加奖项" },
};

/** The control a catalog field is edited with. */
export function kindOf(field) {
  switch (field.type) {
    case "choice":
      return "select";
    case "boolean":
      return "bool";
    case "phone":
      return "tel";
    case "email":
      return "email";
    case "region":
      return "region";
    case "list":
      return field.item.type === "object" ? "rows" : "lines";
    default:
      return (HINTS[field.name] && HINTS[field.name].control) || "text";
  }
}

const sectionOf = (name) =>
  SECTIONS.find((s) => (s.names || []).includes(name) || (s.group && name.startsWith(s.group + "."))) || OTHER;

/** The form's sections for `category`: [{title, group, fields: [{...catalog field, kind, hints}]}]. */
export function sectionsFor(category) {
  const sections = new Map();
  for (const field of formFields(category)) {
    const section = sectionOf(field.name);
    if (!sections.has(section)) sections.set(section, []);
    sections.get(section).push({ ...field, ...HINTS[field.name], kind: kindOf(field), path: field.name });
  }
  return [...SECTIONS, OTHER]
    .filter((s) => sections.has(s))
    .map((s) => ({ title: s.title, group: s.group, fields: sections.get(s) }));
}

/** A label for a field or a nested object's name (`applicant` is its section), or null. */
export function labelOf(path) {
  const section = SECTIONS.find((s) => s.group === path);
  return section ? section.title : fieldLabel(path);
}
