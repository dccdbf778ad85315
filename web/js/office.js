// A district office's pages: its entries, the receipt form per category (save, submit,
// withdraw), the materials with their uploads, and what screening found.

import { ApiError, download, get, post, query, request } from "./api.js";
import { buildForm, changes, clearErrors, showErrors } from "./form.js";
import {
  historyView,
  kindsFor,
  latestByKind,
  loadScreening,
  materialCard,
  materialView,
  screeningBadge,
  screeningView,
  statusBadge,
} from "./entry.js";
import { CATEGORIES, CATEGORY_HINTS, MATERIAL_KINDS, STATUSES, fmtBytes, fmtTime, label } from "./labels.js";
import { ACCEPT, Upload } from "./upload.js";
import { alertBox, busy, dataTable, h, pager, select, toast } from "./ui.js";

const main = () => document.getElementById("main");
const PER_PAGE = 20;

// --- the list ----------------------------------------------------------------------------

export async function list(view) {
  const filters = { status: "", category: "", page: 1 };
  const body = h("div", { "aria-live": "polite" });
  const statusSel = select({ id: "flt-status" }, STATUSES, "", "全部");
  const categorySel = select({ id: "flt-category" }, CATEGORIES, "", "全部");
  const exportBtn = h("button.btn.btn-secondary", { type: "button" }, "导出本区汇总表（xlsx）");
  exportBtn.addEventListener("click", () =>
    busy(exportBtn, async () => {
      try {
        await download("/api/v1/reports/entries.xlsx", "汇总表.xlsx");
      } catch (e) {
        toast(e.message, "error");
      }
    }),
  );
  main().append(
    h(
      "div.page-head",
      {},
      h("h1", {}, `${view.who.district} · 申报项目`),
      h("div.row", {}, exportBtn, h("a.btn", { href: "#/entries/new" }, "新建项目")),
    ),
    h(
      "div.panel",
      {},
      h(
        "div.filters",
        {},
        h("div", {}, h("label", { for: "flt-status" }, "状态"), statusSel),
        h("div", {}, h("label", { for: "flt-category" }, "类别"), categorySel),
      ),
      body,
    ),
  );
  let latest = 0; // answers to an older query that arrive late are dropped
  const load = async () => {
    const mine = ++latest;
    const data = await get(
      `/api/v1/submissions${query({ status: filters.status, category: filters.category, page: filters.page, per_page: PER_PAGE })}`,
    );
    if (view.gone) return;
    // Screening's state for the submitted ones, fetched side by side.
    const states = await Promise.all(
      data.items.map((e) => (e.status === "submitted" ? loadScreening(e.id).catch(() => null) : null)),
    );
    if (view.gone || mine !== latest) return;
    const rows = data.items.map((e, i) => ({ ...e, screening: states[i] }));
    body.replaceChildren(
      dataTable(
        [
          { label: "项目名称", cell: (e) => h("a", { href: `#/entries/${e.id}` }, e.title || "（未命名）") },
          { label: "类别", cell: (e) => label(CATEGORIES, e.category) },
          {
            label: "状态",
            cell: (e) =>
              h("span.row", {}, statusBadge(e.status), e.screening && e.screening.state !== "pending" ? screeningBadge(e.screening.state) : null),
          },
          { label: "材料", cell: (e) => materialsText(e) },
          { label: "更新时间", cell: (e) => fmtTime(e.updated_at) },
        ],
        rows,
        { empty: "还没有项目。点击“新建项目”开始填报。" },
      ),
      pager(filters.page, PER_PAGE, data.total, (p) => {
        filters.page = p;
        load();
      }),
    );
  };
  statusSel.addEventListener("change", () => {
    filters.status = statusSel.value;
    filters.page = 1;
    load();
  });
  categorySel.addEventListener("change", () => {
    filters.category = categorySel.value;
    filters.page = 1;
    load();
  });
  await load();
}

function materialsText(entry) {
  const mine = latestByKind(entry);
  const parts = kindsFor(entry.category).map((k) => `${MATERIAL_KINDS[k]}${mine[k] ? (mine[k].status === "stored" ? "✓" : "…") : "✗"}`);
  return h("span.small", {}, parts.join(" "));
}

// --- a new entry: choose its category -------------------------------------------------------

export function chooseCategory() {
  main().append(
    h("div.page-head", {}, h("h1", {}, "新建项目：选择类别")),
    h(
      "div.panel",
      {},
      h("p.muted", {}, "每个类别的回执内容不同，请先选择项目类别（保存后不能更改）。"),
      h(
        "div.cat-choices",
        {},
        Object.entries(CATEGORIES).map(([code, name]) =>
          h("a.btn", { href: `#/entries/new/${code}`, "data-category": code }, h("strong", {}, name), h("small", {}, CATEGORY_HINTS[code])),
        ),
      ),
    ),
  );
}

// --- the editor -------------------------------------------------------------------------------

export async function editor(view, { id, category }) {
  if (category && !CATEGORIES[category]) {
    location.hash = "#/entries/new";
    return;
  }
  const state = { entry: null, idempotencyKey: crypto.randomUUID() };
  if (id) state.entry = await get(`/api/v1/submissions/${id}`);
  if (view.gone) return;
  const cat = state.entry ? state.entry.category : category;

  const head = h("div.page-head");
  const notices = h("div", { "aria-live": "assertive" });
  const formBox = h("div");
  const actions = h("div.sticky-actions");
  const side = h("div");
  main().append(head, notices, h("div.grid2", {}, h("div", {}, h("div.panel", {}, formBox), actions), side));

  let form;
  const renderHead = () => {
    const e = state.entry;
    head.replaceChildren(
      h(
        "div",
        {},
        h("h1", {}, e ? e.title || "（未命名项目）" : `新建${CATEGORIES[cat]}`),
        h(
          "div.row.small.muted",
          {},
          h("span", {}, label(CATEGORIES, cat)),
          e ? statusBadge(e.status) : h("span.badge.b-draft", {}, "未保存"),
          e ? h("span", {}, `版本 ${e.version}`) : null,
          e && e.updated_at ? h("span", {}, `更新于 ${fmtTime(e.updated_at)}`) : null,
        ),
      ),
      h("a.btn.btn-ghost", { href: "#/entries" }, "返回列表"),
    );
  };
  const render = () => {
    const e = state.entry;
    renderHead();
    form = buildForm(cat, e || {}, { disabled: e && e.status === "withdrawn" });
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      save();
    });
    formBox.replaceChildren(form);
    renderActions();
  };

  const renderActions = () => {
    const e = state.entry;
    const buttons = [];
    if (!e || e.status !== "withdrawn") {
      buttons.push(h("button.btn.btn-secondary", { type: "button", id: "save", onclick: (ev) => busy(ev.currentTarget, save) }, e && e.status === "submitted" ? "保存修改" : "保存草稿"));
    }
    if (!e || e.status === "draft") {
      buttons.push(h("button.btn", { type: "button", id: "submit", onclick: (ev) => busy(ev.currentTarget, submit) }, "提交"));
    }
    if (e && e.status !== "withdrawn") {
      buttons.push(h("button.btn.btn-danger", { type: "button", id: "withdraw", onclick: (ev) => busy(ev.currentTarget, withdraw) }, "撤回项目"));
    }
    if (e && e.status === "withdrawn") buttons.push(h("span.muted", {}, "项目已撤回，不能再修改。"));
    actions.replaceChildren(...buttons);
  };

  const showError = (error) => {
    const loose = error.fields && form ? showErrors(form, error.fields) : [];
    notices.replaceChildren(alertBox("error", error.message, loose));
    if (error.code === "version_conflict") notices.append(conflictActions());
    notices.scrollIntoView({ block: "nearest" });
  };

  const conflictActions = () =>
    h(
      "div.row",
      { style: "margin:-.5rem 0 1rem" },
      h("button.btn.btn-secondary", { type: "button", onclick: () => reload() }, "载入最新版本（放弃我的修改）"),
      h(
        "button.btn",
        {
          type: "button",
          onclick: async (ev) => {
            const latest = await get(`/api/v1/submissions/${state.entry.id}`);
            state.entry = latest;
            busy(ev.currentTarget, save);
          },
        },
        "保留我的修改并覆盖",
      ),
    );

  const reload = async () => {
    state.entry = await get(`/api/v1/submissions/${state.entry.id}`);
    notices.replaceChildren(alertBox("info", "已载入最新版本。"));
    render();
    refreshSide();
  };

  // Saves the form; resolves true when everything on screen is stored.
  const save = async ({ quiet = false } = {}) => {
    clearErrors(form);
    notices.replaceChildren();
    try {
      if (!state.entry) {
        const { data } = await request("POST", "/api/v1/submissions", {
          body: { category: cat },
          headers: { "Idempotency-Key": state.idempotencyKey },
        });
        state.entry = data;
        history.replaceState(null, "", `#/entries/${data.id}`);
      }
      const body = changes(form, cat, state.entry);
      if (Object.keys(body).length) {
        const { data } = await request("PATCH", `/api/v1/submissions/${state.entry.id}`, {
          body,
          headers: { "If-Match": `"${state.entry.version}"` },
        });
        state.entry = data;
      }
      if (!quiet) toast("已保存");
      renderHead();
      renderActions();
      refreshSide();
      return true;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      renderHead();
      renderActions();
      showError(error);
      if (state.entry) refreshSide();
      return false;
    }
  };

  const submit = async () => {
    if (!(await save({ quiet: true }))) return;
    try {
      state.entry = await post(`/api/v1/submissions/${state.entry.id}/submit`);
      render();
      notices.replaceChildren(alertBox("ok", "项目已提交，系统正在按征集标准筛查。"));
      toast("已提交");
      refreshSide();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      showError(error);
    }
  };

  const withdraw = async () => {
    if (!window.confirm("确定撤回该项目吗？撤回后不能再修改或提交。")) return;
    try {
      state.entry = await post(`/api/v1/submissions/${state.entry.id}/withdraw`);
      render();
      notices.replaceChildren(alertBox("info", "项目已撤回。"));
      refreshSide();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      showError(error);
    }
  };

  // --- the side: screening, materials, history ---------------------------------------------
  const screeningBox = h("div", { "aria-live": "polite", id: "screening" });
  const materialsBox = h("div", { id: "materials" });
  const historyBox = h("div");
  side.append(
    h("section.panel", { "aria-labelledby": "h-screening" }, h("h2", { id: "h-screening" }, "筛查结果"), screeningBox),
    h("section.panel", { "aria-labelledby": "h-materials" }, h("h2", { id: "h-materials" }, "材料"), materialsBox),
    h("section.panel", { "aria-labelledby": "h-history" }, h("h2", { id: "h-history" }, "历史记录"), historyBox),
  );
  const uploads = {}; // kind -> the upload panel, kept across refreshes

  const refreshScreening = async () => {
    if (!state.entry) {
      screeningBox.replaceChildren(h("p.muted", {}, "保存并提交后显示筛查结果。"));
      return;
    }
    try {
      const s = await loadScreening(state.entry.id);
      if (!view.gone) screeningBox.replaceChildren(screeningView(s));
      state.screening = s;
    } catch (e) {
      screeningBox.replaceChildren(alertBox("error", e.message));
    }
  };
  const refreshHistory = async () => {
    if (!state.entry) return historyBox.replaceChildren(h("p.muted", {}, "尚未保存。"));
    try {
      const data = await get(`/api/v1/submissions/${state.entry.id}/history`);
      if (!view.gone) historyBox.replaceChildren(historyView(data.items));
    } catch (e) {
      historyBox.replaceChildren(alertBox("error", e.message));
    }
  };
  const refreshMaterials = async () => {
    if (!state.entry) {
      materialsBox.replaceChildren(h("p.muted", {}, "保存草稿后即可上传推介视频和资料。"));
      return;
    }
    const mine = latestByKind(state.entry);
    const cards = await Promise.all(
      kindsFor(cat).map(async (kind) => {
        uploads[kind] = uploads[kind] || uploadPanel(state, kind, afterUpload);
        const current = mine[kind] && !uploads[kind].active() ? await materialView(mine[kind]) : null;
        return h(
          "div.material",
          { "data-kind": kind },
          h("h3", {}, MATERIAL_KINDS[kind]),
          current || (uploads[kind].active() ? null : h("p.muted.small", {}, "尚未上传")),
          state.entry.status === "withdrawn" ? null : uploads[kind].el,
        );
      }),
    );
    if (!view.gone) materialsBox.replaceChildren(...cards);
  };
  const afterUpload = async () => {
    state.entry = await get(`/api/v1/submissions/${state.entry.id}`);
    refreshMaterials();
    refreshScreening();
  };
  const refreshSide = () => {
    refreshScreening();
    refreshMaterials();
    refreshHistory();
  };

  render();
  refreshSide();
  // Screening follows a submission or an upload within seconds: keep the panel current.
  view.every(4000, () => {
    if (state.entry && state.entry.status === "submitted") refreshScreening();
  });
}

// --- one material's upload control ----------------------------------------------------------

function uploadPanel(state, kind, afterUpload) {
  const inputId = `file-${kind}`;
  const input = h("input.sr-only.file-input", { type: "file", id: inputId, accept: ACCEPT[kind] });
  const chosen = h("span.small.muted", {}, "未选择文件");
  input.addEventListener("change", () => {
    const file = input.files[0];
    chosen.textContent = file ? `${file.name}（${fmtBytes(file.size)}）` : "未选择文件";
  });
  const startBtn = h("button.btn.btn-small", { type: "button" }, "上传");
  const resumeBtn = h("button.btn.btn-secondary.btn-small", { type: "button", hidden: true }, "继续上传");
  const bar = h("progress", { max: 100, value: 0, hidden: true, "aria-label": `${MATERIAL_KINDS[kind]}上传进度` });
  const status = h("div.small", { "aria-live": "polite", "data-upload-status": kind });
  const result = h("div");
  let upload = null;
  let running = false;

  const onStatus = (s) => {
    bar.hidden = false;
    if (s.phase === "hashing") {
      bar.value = Math.round(s.fraction * 100);
      status.textContent = `正在计算文件校验值（SHA-256）… ${Math.round(s.fraction * 100)}%`;
    } else if (s.phase === "uploading") {
      bar.value = Math.round(s.fraction * 100);
      status.textContent = `上传中 ${Math.round(s.fraction * 100)}%（${fmtBytes(s.loaded)} / ${fmtBytes(s.total)}）`;
    } else if (s.phase === "retrying") {
      status.textContent = s.message;
    } else if (s.phase === "completing") {
      bar.value = 100;
      status.textContent = "上传完成，正在通知校验…";
    }
  };

  // Poll the material until verification decides.
  const follow = async (materialId) => {
    status.textContent = "校验中：正在核对文件大小、校验值和类型…";
    for (let i = 0; i < 300; i += 1) {
      const m = await get(`/api/v1/materials/${materialId}`);
      if (m.status === "stored" || m.status === "rejected" || m.status === "expired") {
        bar.hidden = m.status !== "stored"; // a stored upload keeps its full bar
        status.textContent = "";
        result.replaceChildren(materialCard(m));
        return m;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
    status.textContent = "校验仍在进行，请稍后刷新页面查看。";
    return null;
  };

  const run = async (first) => {
    running = true;
    startBtn.disabled = true;
    resumeBtn.hidden = true;
    result.replaceChildren();
    try {
      if (first) await upload.start();
      else await upload.resume();
      await follow(upload.materialId);
      running = false;
      await afterUpload();
    } catch (error) {
      running = false;
      bar.hidden = true;
      status.replaceChildren(alertBox("error", error.message));
      if (upload && upload.slot && upload.slot.upload.parts) resumeBtn.hidden = false;
    } finally {
      startBtn.disabled = false;
    }
  };

  startBtn.addEventListener("click", () => {
    const file = input.files[0];
    if (!file) {
      status.replaceChildren(alertBox("error", "请先选择文件"));
      input.focus();
      return;
    }
    upload = new Upload(state.entry.id, kind, file, onStatus);
    run(true);
  });
  resumeBtn.addEventListener("click", () => run(false));

  const el = h(
    "div.upload",
    {},
    h("div.row", {}, input, h("label.btn.btn-secondary.btn-small", { for: inputId }, `选择${MATERIAL_KINDS[kind]}文件`), chosen),
    h("div.row", { style: "margin:.5rem 0" }, startBtn, resumeBtn),
    bar,
    status,
    result,
  );
  return { el, active: () => running || result.childElementCount > 0 };
}
