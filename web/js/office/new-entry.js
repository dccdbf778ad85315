// A new entry starts with its call and category: each category's receipt asks for different
// fields, and only the categories of a call open now can be handed in (GET /api/v1/calls).

import { loadCalls, deadlineBanner, openCalls } from "../calls.js";
import { CATEGORIES, CATEGORY_HINTS } from "../labels.js";
import { alertBox, h, mainArea, select } from "../ui.js";

/** The address of a new entry of `category` in `call` (the call is left out when it is the
 * only open one: intake then takes it). */
export const newEntryHref = (category, call, several) =>
  `#/entries/new/${category}${several ? `?call=${encodeURIComponent(call.id)}` : ""}`;

function categoryChoices(call, several) {
  return call.categories
    .filter((c) => CATEGORIES[c.code])
    .map(({ code }) =>
      h(
        "a.btn",
        // A call taking entries under the district's extension only is not "the one open call"
        // intake would pick by itself: name it.
        { href: newEntryHref(code, call, several || !call.is_open), "data-category": code },
        h("strong", {}, CATEGORIES[code]),
        h("small", {}, CATEGORY_HINTS[code]),
      ),
    );
}

export async function chooseCategory(view) {
  const open = openCalls(await loadCalls());
  if (view.gone) return;
  const head = h("div.page-head", {}, h("h1", {}, "新建项目：选择类别"));
  if (!open.length) {
    mainArea().append(head, alertBox("warn", "当前没有本区县可以参加的、正在进行的征集，不能新建项目。"));
    return;
  }
  const several = open.length > 1;
  const banner = h("div");
  const choices = h("div.cat-choices");
  const show = (call) => {
    banner.replaceChildren(deadlineBanner(call));
    choices.replaceChildren(...categoryChoices(call, several));
  };
  const byId = Object.fromEntries(open.map((c) => [c.id, c]));
  const callSel = select({ id: "new-call" }, Object.fromEntries(open.map((c) => [c.id, c.title])), open[0].id, null);
  callSel.addEventListener("change", () => show(byId[callSel.value]));
  show(open[0]);
  mainArea().append(
    head,
    h(
      "div.panel",
      {},
      several ? h("div.filters", {}, h("div", {}, h("label", { for: "new-call" }, "所属征集"), callSel)) : null,
      banner,
      h("p.muted", {}, "每个类别的回执内容不同，请先选择项目类别（保存后不能更改）。"),
      choices,
    ),
  );
}
