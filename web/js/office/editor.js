// The receipt form of one entry (new or saved): save, submit, withdraw, with the API's
// messages beside the fields and a way out of a version conflict; the side shows screening,
// materials and history (side.js).

import { ApiError, get, post, request } from "../api.js";
import { deadlineBanner, loadCalls, openCalls, openCallsBanner } from "../calls.js";
import { receiptButton, statusBadge } from "../entry.js";
import { officerPanel } from "./officer.js";
import { buildForm } from "../form/build.js";
import { clearErrors, showErrors } from "../form/errors.js";
import { changes } from "../form/read.js";
import { CATEGORIES, fmtTime, label } from "../labels.js";
import { alertBox, busy, h, mainArea, toast } from "../ui.js";
import { markReturned } from "./returned.js";
import { EditorSide } from "./side.js";

const SCREENING_REFRESH_MS = 4000;

/** The buttons an entry's state allows: [{id, text, style, act}] (act names an Editor method),
 * and a note when nothing can change. */
export function actionsOf(entry) {
  const status = entry ? entry.status : null;
  const actions = [];
  if (status !== "withdrawn") {
    actions.push({ id: "save", text: status === "submitted" ? "保存修改" : "保存草稿", style: ".btn-secondary", act: "save" });
  }
  if (!entry || status === "draft") actions.push({ id: "submit", text: "提交", style: "", act: "submit" });
  if (status === "returned") actions.push({ id: "submit", text: "重新提交", style: "", act: "submit" }); // 退回修改
  if (entry && status !== "withdrawn") actions.push({ id: "withdraw", text: "撤回项目", style: ".btn-danger", act: "withdraw" });
  return { actions, note: status === "withdrawn" ? "项目已撤回，不能再修改。" : null };
}

class Editor {
  constructor(view, entry, category, callId) {
    this.view = view;
    this.state = { entry, idempotencyKey: crypto.randomUUID() };
    this.category = category;
    this.callId = callId; // a new entry's call, when the office chose one of several
    this.head = h("div.page-head");
    this.banner = h("div");
    this.notices = h("div", { "aria-live": "assertive" });
    this.formBox = h("div");
    this.officerBox = h("div");
    this.actions = h("div.sticky-actions");
    this.side = new EditorSide(view, this.state, category);
    this.form = null;
  }

  get entry() {
    return this.state.entry;
  }

  mount() {
    const formColumn = h("div", {}, h("div.panel", {}, this.formBox), this.actions, this.officerBox);
    mainArea().append(this.head, this.banner, this.notices, h("div.grid2", {}, formColumn, this.side.el));
    this.render();
    this.side.refresh();
  }

  render() {
    const e = this.entry;
    this.renderHead();
    this.form = buildForm(this.category, e || {}, { disabled: e && e.status === "withdrawn" });
    this.form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      this.save();
    });
    this.formBox.replaceChildren(markReturned(this.form, e) || "", this.form);
    this.renderActions();
    this.renderOfficer();
  }

  /** The 保姆 panel of a saved entry: its officer or the office's proposal awaiting staff. */
  renderOfficer() {
    const e = this.entry;
    if (!e || e.status === "withdrawn") return this.officerBox.replaceChildren();
    this.officerBox.replaceChildren(
      officerPanel(e, (updated) => {
        this.state.entry = updated; // a new version: the next save names it
        this.renderHead();
        this.renderOfficer();
      }),
    );
  }

  /** The deadline of the entry's call (a new entry: the chosen call, or the one open call). */
  async showDeadline() {
    const calls = await loadCalls();
    const id = this.entry ? this.entry.call_id : this.callId;
    const call = id ? calls.find((c) => c.id === id) : openCalls(calls).length === 1 ? openCalls(calls)[0] : null;
    if (!this.view.gone) this.banner.replaceChildren(call ? deadlineBanner(call) : openCallsBanner(calls));
  }

  renderHead() {
    const e = this.entry;
    const facts = h(
      "div.row.small.muted",
      {},
      h("span", {}, label(CATEGORIES, this.category)),
      e ? statusBadge(e.status) : h("span.badge.b-draft", {}, "未保存"),
      e ? h("span", {}, `版本 ${e.version}`) : null,
      e && e.updated_at ? h("span", {}, `更新于 ${fmtTime(e.updated_at)}`) : null,
    );
    const title = e ? e.title || "（未命名项目）" : `新建${CATEGORIES[this.category]}`;
    const back = h("a.btn.btn-ghost", { href: "#/entries" }, "返回列表");
    this.head.replaceChildren(h("div", {}, h("h1", {}, title), facts), h("div.row", {}, e ? receiptButton(e.id) : null, back));
  }

  renderActions() {
    const { actions, note } = actionsOf(this.entry);
    this.actions.replaceChildren(
      ...actions.map((a) =>
        h(`button.btn${a.style}`, { type: "button", id: a.id, onclick: (ev) => busy(ev.currentTarget, () => this[a.act]()) }, a.text),
      ),
      ...(note ? [h("span.muted", {}, note)] : []),
    );
  }

  showError(error) {
    const loose = error.fields && this.form ? showErrors(this.form, error.fields) : [];
    this.notices.replaceChildren(alertBox("error", error.message, loose));
    if (error.code === "version_conflict") this.notices.append(this.conflictActions());
    this.notices.scrollIntoView({ block: "nearest" });
  }

  conflictActions() {
    const overwrite = async (ev) => {
      this.state.entry = await get(`/api/v1/submissions/${this.entry.id}`);
      busy(ev.currentTarget, () => this.save());
    };
    return h(
      "div.row",
      { style: "margin:-.5rem 0 1rem" },
      h("button.btn.btn-secondary", { type: "button", onclick: () => this.reload() }, "载入最新版本（放弃我的修改）"),
      h("button.btn", { type: "button", onclick: overwrite }, "保留我的修改并覆盖"),
    );
  }

  async reload() {
    this.state.entry = await get(`/api/v1/submissions/${this.entry.id}`);
    this.notices.replaceChildren(alertBox("info", "已载入最新版本。"));
    this.render();
    this.side.refresh();
  }

  // Creates the draft on the first save (the idempotency key makes a retry harmless).
  async ensureSaved() {
    if (this.entry) return;
    const body = this.callId ? { category: this.category, call_id: this.callId } : { category: this.category };
    const { data } = await request("POST", "/api/v1/submissions", {
      body,
      headers: { "Idempotency-Key": this.state.idempotencyKey },
    });
    this.state.entry = data;
    history.replaceState(null, "", `#/entries/${data.id}`);
  }

  /** Saves the form; resolves true when everything on screen is stored. */
  async save({ quiet = false } = {}) {
    clearErrors(this.form);
    this.notices.replaceChildren();
    try {
      await this.ensureSaved();
      const body = changes(this.form, this.category, this.entry);
      if (Object.keys(body).length) {
        const { data } = await request("PATCH", `/api/v1/submissions/${this.entry.id}`, {
          body,
          headers: { "If-Match": `"${this.entry.version}"` },
        });
        this.state.entry = data;
      }
      if (!quiet) toast("已保存");
      this.renderHead();
      this.renderActions();
      this.side.refresh();
      return true;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      this.renderHead();
      this.renderActions();
      this.showError(error);
      if (this.entry) this.side.refresh();
      return false;
    }
  }

  async submit() {
    if (!(await this.save({ quiet: true }))) return;
    if (await this.transition("submit", "ok", "项目已提交，系统正在按征集标准筛查。")) toast("已提交");
  }

  async withdraw() {
    if (!window.confirm("确定撤回该项目吗？撤回后不能再修改或提交。")) return;
    await this.transition("withdraw", "info", "项目已撤回。");
  }

  // POST an action of the entry; on success (true) the form is redrawn for the new state.
  async transition(action, kind, message) {
    try {
      this.state.entry = await post(`/api/v1/submissions/${this.entry.id}/${action}`);
      this.render();
      this.notices.replaceChildren(alertBox(kind, message));
      this.side.refresh();
      return true;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      this.showError(error);
      return false;
    }
  }
}

export async function editor(view, { id, category, callId }) {
  if (category && !CATEGORIES[category]) {
    location.hash = "#/entries/new";
    return;
  }
  const entry = id ? await get(`/api/v1/submissions/${id}`) : null;
  if (view.gone) return;
  const page = new Editor(view, entry, entry ? entry.category : category, callId);
  page.mount();
  page.showDeadline().catch(() => {}); // the banner is a help: the form works without it
  // Screening follows a submission or an upload within seconds: keep the panel current.
  view.every(SCREENING_REFRESH_MS, () => {
    if (page.entry && page.entry.status === "submitted") page.side.refreshScreening();
  });
}
