// Pieces of an entry both roles see: the screening findings, the materials (a stored video
// plays in place), the entry's facts and its history.

import { download, get } from "./api.js";
import { choicesOf } from "./catalog.js";
import { labelOf, sectionsFor } from "./form/layout.js";
import {
  CATEGORIES,
  EVENT_TYPES,
  MATERIAL_KINDS,
  MATERIAL_STATUSES,
  OUTCOMES,
  REVIEW_DECISIONS,
  ROLES,
  SCREENING_STATES,
  SELECTIONS,
  STATUSES,
  fmtBytes,
  fmtTime,
  label,
} from "./labels.js";
import { alertBox, badge, busy, dataTable, h, toast } from "./ui.js";

export const kindsFor = (category) =>
  ["achievement", "promotion"].includes(category) ? ["promo_video", "introduction", "proof"] : ["promo_video", "introduction"];

/** The latest material of each kind listed on the entry. */
export function latestByKind(entry) {
  const by = {};
  for (const m of entry.materials || []) by[m.kind] = m;
  return by;
}

export function statusBadge(status) {
  return badge(status, label(STATUSES, status));
}

export function screeningBadge(state) {
  return badge(state, label(SCREENING_STATES, state));
}

/** The screening panel's content: state, priority, findings with clause and message. */
export function screeningView(s) {
  if (!s) return h("p.muted", {}, "暂无筛查结果：项目提交后，系统会按征集标准逐条筛查。");
  const parts = [
    h(
      "div.row",
      {},
      h("span", {}, "筛查状态："),
      screeningBadge(s.state),
      s.priority ? badge("priority", "优先推荐") : null,
      s.window_closed ? h("span.muted.small", {}, "（征集已截止）") : null,
    ),
  ];
  if (s.state === "pending") {
    parts.push(
      h("p.muted", {}, s.entry_status === "draft" || !s.entry_status ? "项目提交后，系统会按征集标准逐条筛查。" : "正在筛查，请稍候…"),
    );
  }
  if (s.findings && s.findings.length) {
    const order = { fail: 0, missing: 1, review: 2, priority: 3, pass: 4 };
    const findings = [...s.findings].sort((a, b) => (order[a.outcome] ?? 9) - (order[b.outcome] ?? 9));
    parts.push(
      h(
        "div.findings",
        { "data-testid": "findings" },
        dataTable(
          [
            { label: "条款", cell: (f) => f.clause },
            { label: "结果", cell: (f) => badge(f.outcome, label(OUTCOMES, f.outcome)) },
            { label: "说明", cell: (f) => f.message },
          ],
          findings,
        ),
      ),
    );
  }
  if (s.review) {
    parts.push(
      h("p", {}, "审核结论：", badge(s.review.decision, label(REVIEW_DECISIONS, s.review.decision)), s.review.note ? `（${s.review.note}）` : ""),
    );
  }
  if (s.selection) {
    parts.push(
      h(
        "p",
        {},
        "遴选结果：",
        badge(s.selection.decision, label(SELECTIONS, s.selection.decision)),
        s.selection.note ? `（${s.selection.note}）` : "",
        s.selection.lapsed ? h("span.muted", {}, "（已失效）") : "",
      ),
    );
  }
  return h("div", {}, parts);
}

/** The screening of an entry; null while screening has not heard of it yet (404). */
export async function loadScreening(id) {
  try {
    return await get(`/api/v1/screenings/${id}`);
  } catch (error) {
    if (error.status === 404) return null;
    throw error;
  }
}

/** One material: status, and when stored its facts and a player or a download link. */
export async function materialView(summary) {
  let m = summary;
  try {
    m = { ...summary, ...(await get(`/api/v1/materials/${summary.material_id}`)) };
  } catch {
    /* the list entry is enough to show the status */
  }
  return materialCard(m);
}

export function materialCard(m) {
  const facts = [];
  if (m.size != null) facts.push(fmtBytes(m.size));
  if (m.duration_s != null) facts.push(`时长 ${Number(m.duration_s).toFixed(1)} 秒`);
  if (m.codec) facts.push(`编码 ${m.codec}`);
  if (m.width && m.height) facts.push(`${m.width}×${m.height}`);
  const card = h(
    "div",
    { "data-material": m.kind },
    h(
      "div.material-head",
      {},
      h("span", {}, h("strong", {}, m.filename || "（未命名文件）")),
      badge(m.status, label(MATERIAL_STATUSES, m.status)),
    ),
    facts.length ? h("div.muted.small", {}, facts.join(" · ")) : null,
    m.status === "rejected" && m.reason ? alertBox("error", `退回原因：${m.reason}`) : null,
  );
  if (m.status === "stored" && m.download_url) {
    if (m.kind === "promo_video") {
      card.append(h("video", { controls: true, preload: "metadata", src: m.download_url, "aria-label": `${MATERIAL_KINDS[m.kind]}：${m.filename}` }));
    }
    card.append(h("div", {}, h("a", { href: m.download_url, rel: "noopener" }, "下载文件")));
  }
  return card;
}

function valueText(path, value) {
  if (value === true) return "是";
  if (value === false) return "否";
  if (Array.isArray(value)) {
    if (path === "partners") return value.map((p) => `${p.name}（${label(choicesOf("partners.type") || {}, p.type)}）`).join("；");
    if (path === "awards") return value.map((a) => `${a.name}（${label(choicesOf("awards.level") || {}, a.level)}，${a.year}）`).join("；");
    return value.join("；");
  }
  return choicesOf(path) ? label(choicesOf(path), value) : String(value);
}

/** The entry's fields as a read-only list, in the form's order. */
export function factsView(entry) {
  const items = [h("dt", {}, "项目类别"), h("dd", {}, label(CATEGORIES, entry.category))];
  items.push(h("dt", {}, "区县"), h("dd", {}, entry.district));
  for (const section of sectionsFor(entry.category)) {
    for (const field of section.fields) {
      const value = field.path.split(".").reduce((o, k) => (o == null ? undefined : o[k]), entry);
      const shown = value == null || (Array.isArray(value) && !value.length) ? h("span.muted", {}, "未填写") : valueText(field.path, value);
      const name = section.group ? `${section.title} · ${field.label}` : field.label;
      items.push(h("dt", {}, name), h("dd", {}, shown));
    }
  }
  if (entry.officer) items.push(h("dt", {}, "服务专员（保姆）"), h("dd", {}, `${entry.officer.name}（${entry.officer.phone}）`));
  return h("dl.facts", {}, items);
}

export function historyView(events) {
  if (!events.length) return h("p.muted", {}, "暂无记录。");
  return h(
    "ol.timeline",
    {},
    events.map((e) => {
      const changed = e.data && e.data.changed ? e.data.changed : null;
      const who = e.actor ? `${label(ROLES, e.actor.role)}${e.actor.district ? " · " + e.actor.district : ""}` : "";
      return h(
        "li",
        {},
        h("div", {}, h("strong", {}, label(EVENT_TYPES, e.type)), " ", h("span.muted.small", {}, `${fmtTime(e.occurred_at)} · ${who}`)),
        changed && changed.length
          ? h("div.small.muted", {}, "修改：", changed.map((c) => labelOf(c) || c).join("、"))
          : null,
        e.type === "ServiceOfficerAssigned" && e.data ? h("div.small.muted", {}, `${e.data.name}（${e.data.phone}）`) : null,
      );
    }),
  );
}

// The entry's 回执 as a PDF to print, sign and stamp (GET /api/v1/submissions/{id}/receipt.pdf).
export function receiptButton(id) {
  const button = h("button.btn.btn-secondary", { type: "button", "data-receipt": id }, "下载回执（PDF）");
  button.addEventListener("click", () =>
    busy(button, async () => {
      try {
        const name = await download(`/api/v1/submissions/${encodeURIComponent(id)}/receipt.pdf`, "回执.pdf");
        toast(`已下载：${name}`);
      } catch (e) {
        toast(e.message, "error");
      }
    }),
  );
  return button;
}
