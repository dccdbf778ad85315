// The vocabulary and the receipt form as intake declares them (`GET /api/v1/catalog`), loaded
// once after sign-in. The tables are filled in place, so a module may import them at start and
// read them once the catalog is in (every view renders after `loadCatalog`).

import { get } from "./api.js";

export const CATEGORIES = {};
export const STATES = {};
export const MATERIAL_KINDS = {};
const FORMS = {}; // category -> the receipt's fields, in order
const LABELS = {}; // field name -> label, over every category
const CHOICES = {}; // field name (list items: `partners.type`) -> {code: label}
const REGIONS = new Map(); // Sichuan's GB/T 2260 code -> full name (四川省巴中市巴州区)
const INDUSTRIES = new Map(); // GB/T 4754-2017 门类 letter or 大类 code -> name

let loading = null;

/** Load the catalog (once; a failed load is tried again next time). */
export function loadCatalog() {
  loading =
    loading ||
    get("/api/v1/catalog").then(fill, (error) => {
      loading = null;
      throw error;
    });
  return loading;
}

const byCode = (items) => Object.fromEntries(items.map((i) => [i.code, i.label]));

function fill(catalog) {
  Object.assign(CATEGORIES, byCode(catalog.categories));
  Object.assign(STATES, byCode(catalog.states));
  Object.assign(MATERIAL_KINDS, byCode(catalog.material_kinds));
  for (const place of catalog.regions || []) REGIONS.set(place.code, place.name);
  for (const industry of catalog.industries || []) INDUSTRIES.set(industry.code, industry.name);
  for (const [category, fields] of Object.entries(catalog.forms)) {
    FORMS[category] = fields;
    for (const field of fields) {
      LABELS[field.name] = field.label;
      if (field.choices) CHOICES[field.name] = byCode(field.choices);
      for (const sub of (field.item && field.item.fields) || []) {
        if (sub.choices) CHOICES[`${field.name}.${sub.name}`] = byCode(sub.choices);
      }
    }
  }
}

/** The receipt's fields for `category`, in order ([] for an unknown category). */
export const formFields = (category) => FORMS[category] || [];

/** The label of a form field by its (dotted) name, or null. */
export const fieldLabel = (name) => LABELS[name] ?? null;

/** {code: label} of a choice field (`tech_level`, `partners.type`), or null. */
export const choicesOf = (name) => CHOICES[name] || null;

/** Sichuan's places for a region picker: [[code, full name]], in code order. */
export const regions = () => [...REGIONS];

/** The full name of a region code the catalog lists (Sichuan's), or null. */
export const regionName = (code) => REGIONS.get(code) ?? null;

/** GB/T 4754-2017's 门类 each followed by its 大类, for an industry picker: [[code, name]]. */
export const industries = () => [...INDUSTRIES];

/** The name of an industry code (门类 letter or 大类 two digits), or null. */
export const industryName = (code) => INDUSTRIES.get(code) ?? null;
