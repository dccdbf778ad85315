// One material's upload control on the editor: choose a file, upload it (hashing, parts,
// retries and resumption are upload.js's), then follow verification until it is decided.

import { get } from "../api.js";
import { materialCard } from "../entry.js";
import { MATERIAL_KINDS, fmtBytes } from "../labels.js";
import { ACCEPT, Upload } from "../upload.js";
import { alertBox, h } from "../ui.js";

const FOLLOW_TRIES = 300; // a second apart
const DECIDED = ["stored", "rejected", "expired"];

/** What the progress bar and the status line say for an upload's status: {bar, text}; a
 * missing `bar` leaves the bar as it is. */
export function progress(s) {
  const percent = Math.round((s.fraction || 0) * 100);
  switch (s.phase) {
    case "hashing":
      return { bar: percent, text: `正在计算文件校验值（SHA-256）… ${percent}%` };
    case "uploading":
      return { bar: percent, text: `上传中 ${percent}%（${fmtBytes(s.loaded)} / ${fmtBytes(s.total)}）` };
    case "retrying":
      return { text: s.message };
    case "completing":
      return { bar: 100, text: "上传完成，正在通知校验…" };
    default:
      return {};
  }
}

function parts(kind) {
  const inputId = `file-${kind}`;
  const input = h("input.sr-only.file-input", { type: "file", id: inputId, accept: ACCEPT[kind] });
  const chosen = h("span.small.muted", {}, "未选择文件");
  input.addEventListener("change", () => {
    const file = input.files[0];
    chosen.textContent = file ? `${file.name}（${fmtBytes(file.size)}）` : "未选择文件";
  });
  return {
    input,
    picker: h("div.row", {}, input, h("label.btn.btn-secondary.btn-small", { for: inputId }, `选择${MATERIAL_KINDS[kind]}文件`), chosen),
    startBtn: h("button.btn.btn-small", { type: "button" }, "上传"),
    resumeBtn: h("button.btn.btn-secondary.btn-small", { type: "button", hidden: true }, "继续上传"),
    bar: h("progress", { max: 100, value: 0, hidden: true, "aria-label": `${MATERIAL_KINDS[kind]}上传进度` }),
    status: h("div.small", { "aria-live": "polite", "data-upload-status": kind }),
    result: h("div"),
  };
}

// Poll the material until verification decides; shows its card then.
async function follow(ui, materialId) {
  ui.status.textContent = "校验中：正在核对文件大小、校验值和类型…";
  for (let i = 0; i < FOLLOW_TRIES; i += 1) {
    const m = await get(`/api/v1/materials/${materialId}`);
    if (DECIDED.includes(m.status)) {
      ui.bar.hidden = m.status !== "stored"; // a stored upload keeps its full bar
      ui.status.textContent = "";
      ui.result.replaceChildren(materialCard(m));
      return m;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  ui.status.textContent = "校验仍在进行，请稍后刷新页面查看。";
  return null;
}

/** The panel for `kind` of the editor's entry: {el, active()}; `afterUpload` runs once a
 * verification is decided. */
export function uploadPanel(state, kind, afterUpload) {
  const ui = parts(kind);
  let upload = null;
  let running = false;

  const onStatus = (s) => {
    const shown = progress(s);
    ui.bar.hidden = false;
    if (shown.bar !== undefined) ui.bar.value = shown.bar;
    if (shown.text !== undefined) ui.status.textContent = shown.text;
  };

  const run = async (first) => {
    running = true;
    ui.startBtn.disabled = true;
    ui.resumeBtn.hidden = true;
    ui.result.replaceChildren();
    try {
      if (first) await upload.start();
      else await upload.resume();
      await follow(ui, upload.materialId);
      running = false;
      await afterUpload();
    } catch (error) {
      running = false;
      ui.bar.hidden = true;
      ui.status.replaceChildren(alertBox("error", error.message));
      if (upload && upload.slot && upload.slot.upload.parts) ui.resumeBtn.hidden = false;
    } finally {
      ui.startBtn.disabled = false;
    }
  };

  ui.startBtn.addEventListener("click", () => {
    const file = ui.input.files[0];
    if (!file) {
      ui.status.replaceChildren(alertBox("error", "请先选择文件"));
      ui.input.focus();
      return;
    }
    upload = new Upload(state.entry.id, kind, file, onStatus);
    run(true);
  });
  ui.resumeBtn.addEventListener("click", () => run(false));

  const el = h(
    "div.upload",
    {},
    ui.picker,
    h("div.row", { style: "margin:.5rem 0" }, ui.startBtn, ui.resumeBtn),
    ui.bar,
    ui.status,
    ui.result,
  );
  return { el, active: () => running || ui.result.childElementCount > 0 };
}
