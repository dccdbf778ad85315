// The editor's side: what screening found, the materials with their upload panels, and the
// entry's history. Reads the editor's `state` ({entry}); refreshes on demand.

import { get } from "../api.js";
import { historyView, kindsFor, latestByKind, loadScreening, materialView, screeningView } from "../entry.js";
import { MATERIAL_KINDS } from "../labels.js";
import { alertBox, h } from "../ui.js";
import { uploadPanel } from "./upload-panel.js";
import { offersFound } from "./matches.js";

const panel = (id, title, box) => h("section.panel", { "aria-labelledby": id }, h("h2", { id }, title), box);

export class EditorSide {
  constructor(view, state, category) {
    Object.assign(this, { view, state, category });
    this.screeningBox = h("div", { "aria-live": "polite", id: "screening" });
    this.materialsBox = h("div", { id: "materials" });
    this.historyBox = h("div");
    this.uploads = {}; // kind -> the upload panel, kept across refreshes
    this.offers = offersFound(); // 供需对接: a challenge's offers found
    this.el = h(
      "div",
      {},
      panel("h-screening", "筛查结果", this.screeningBox),
      category === "challenge" ? panel("h-offers", "可能对接的项目", this.offers.el) : null,
      panel("h-materials", "材料", this.materialsBox),
      panel("h-history", "历史记录", this.historyBox),
    );
  }

  refresh() {
    this.offers.refresh(this.state.entry);
    this.refreshScreening();
    this.refreshMaterials();
    this.refreshHistory();
  }

  async refreshScreening() {
    const { entry } = this.state;
    if (!entry) {
      this.screeningBox.replaceChildren(h("p.muted", {}, "保存并提交后显示筛查结果。"));
      return;
    }
    try {
      const s = await loadScreening(entry.id);
      if (!this.view.gone) this.screeningBox.replaceChildren(screeningView(s));
      this.state.screening = s;
    } catch (e) {
      this.screeningBox.replaceChildren(alertBox("error", e.message));
    }
  }

  async refreshHistory() {
    const { entry } = this.state;
    if (!entry) return this.historyBox.replaceChildren(h("p.muted", {}, "尚未保存。"));
    try {
      const data = await get(`/api/v1/submissions/${entry.id}/history`);
      if (!this.view.gone) this.historyBox.replaceChildren(historyView(data.items));
    } catch (e) {
      this.historyBox.replaceChildren(alertBox("error", e.message));
    }
  }

  async refreshMaterials() {
    if (!this.state.entry) {
      this.materialsBox.replaceChildren(h("p.muted", {}, "保存草稿后即可上传推介视频和资料。"));
      return;
    }
    const mine = latestByKind(this.state.entry);
    const cards = await Promise.all(kindsFor(this.category).map((kind) => this.materialCard(kind, mine[kind])));
    if (!this.view.gone) this.materialsBox.replaceChildren(...cards);
  }

  // One kind's card: the latest material (unless an upload is on screen) and the upload panel.
  async materialCard(kind, latest) {
    const upload = (this.uploads[kind] = this.uploads[kind] || uploadPanel(this.state, kind, () => this.afterUpload()));
    const current = latest && !upload.active() ? await materialView(latest) : null;
    return h(
      "div.material",
      { "data-kind": kind },
      h("h3", {}, MATERIAL_KINDS[kind]),
      current || (upload.active() ? null : h("p.muted.small", {}, "尚未上传")),
      this.state.entry.status === "withdrawn" ? null : upload.el,
    );
  }

  async afterUpload() {
    this.state.entry = await get(`/api/v1/submissions/${this.state.entry.id}`);
    this.refreshMaterials();
    this.refreshScreening();
  }
}
