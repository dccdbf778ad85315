// A new entry starts with its category: each category's receipt asks for different fields.

import { CATEGORIES, CATEGORY_HINTS } from "../labels.js";
import { h, mainArea } from "../ui.js";

export function chooseCategory() {
  const choices = Object.entries(CATEGORIES).map(([code, name]) =>
    h("a.btn", { href: `#/entries/new/${code}`, "data-category": code }, h("strong", {}, name), h("small", {}, CATEGORY_HINTS[code])),
  );
  mainArea().append(
    h("div.page-head", {}, h("h1", {}, "新建项目：选择类别")),
    h(
      "div.panel",
      {},
      h("p.muted", {}, "每个类别的回执内容不同，请先选择项目类别（保存后不能更改）。"),
      h("div.cat-choices", {}, choices),
    ),
  );
}
