// The inbox (通知): an office's notices or the city staff's, unread first, with a "标为已读"
// button, and the unread count as a badge on the nav link (refreshed while signed in).

import { get, getToken, post, query } from "./api.js";
import { fmtTime } from "./labels.js";
import { alertBox, badge, busy, dataTable, h, mainArea, pager } from "./ui.js";

const KIND_LABELS = {
  returned: "退回修改",
  extension: "逾期补交",
  screening: "审查状态",
  material_rejected: "材料未通过",
  selected: "入选",
  recommended: "推荐省级",
  deadline: "截止提醒",
  batch_sent: "汇总报送",
  resubmitted: "重新提交",
  lapsed: "结论失效",
  officer_proposed: "提议保姆",
};
const PER_PAGE = 20;
const BADGE_MS = 30000;

/** The nav link with its unread badge (the badge is filled by `refreshUnread`). */
export function noticeLink(current) {
  return h(
    "a",
    { href: "#/notices", "aria-current": current ? "page" : null },
    "通知",
    h("span.badge.b-unread#notice-count", { hidden: true, "aria-label": "未读通知数" }),
  );
}

export async function refreshUnread() {
  const badge = document.getElementById("notice-count");
  if (!badge || !getToken()) return; // signed out: asking would only be refused
  try {
    const { unread_count: n } = await get("/api/v1/notices?per_page=1");
    badge.textContent = String(n);
    badge.hidden = n === 0;
  } catch {
    badge.hidden = true; // the inbox is a help: the console works without it
  }
}

let badgeTimer = null;
export function keepUnreadFresh() {
  refreshUnread();
  if (!badgeTimer) badgeTimer = setInterval(refreshUnread, BADGE_MS);
}

function entryLink(notice, who) {
  if (!notice.submission_id) return null;
  const href = who.role === "staff" ? `#/entry/${notice.submission_id}` : `#/entries/${notice.submission_id}`;
  return h("a.small", { href }, "查看项目");
}

function item(notice, who, reload) {
  const mark = notice.read
    ? null
    : h("button.btn.btn-ghost.small", {
        type: "button",
        "data-notice": notice.notice_id,
        onclick: (ev) =>
          busy(ev.currentTarget, async () => {
            await post(`/api/v1/notices/${notice.notice_id}/read`);
            await reload();
            refreshUnread();
          }),
      }, "标为已读"); // prettier-ignore
  return h(
    `li.notice${notice.read ? ".read" : ".unread"}`,
    { dataset: { kind: notice.kind } },
    h("div.row", {}, h("span.badge", {}, KIND_LABELS[notice.kind] || notice.kind), h("strong", {}, notice.title),
      h("span.small.muted", {}, fmtTime(notice.created_at)), notice.read ? null : h("span.small", {}, "未读")),  // prettier-ignore
    h("p.pre", { style: "white-space:pre-line" }, notice.body),
    h("div.row", {}, entryLink(notice, who), mark),
  );
}

export async function notices(view) {
  let page = 1;
  let unreadOnly = false;
  const list = h("div#notices", { "aria-live": "polite" });
  const toggle = h("input", { type: "checkbox", id: "unread-only", onchange: (ev) => { unreadOnly = ev.target.checked; page = 1; reload(); } }); // prettier-ignore
  const reload = async () => {
    try {
      const data = await get(`/api/v1/notices${query({ page, per_page: PER_PAGE, unread: unreadOnly ? "true" : "" })}`);
      if (view.gone) return;
      const items = data.items.map((n) => item(n, view.who, reload));
      list.replaceChildren(
        h("p.small.muted", {}, `未读 ${data.unread_count} 条，共 ${data.total} 条`),
        items.length ? h("ul.notices", {}, items) : h("p.muted", {}, "暂无通知。"),
        pager(page, PER_PAGE, data.total, (p) => { page = p; reload(); }), // prettier-ignore
      );
    } catch (e) {
      list.replaceChildren(alertBox("error", e.message));
    }
  };
  mainArea().append(
    h("div.page-head", {}, h("h1", {}, "通知")),
    h("section.panel", {}, h("label.row", { for: "unread-only" }, toggle, "只看未读"), list),
    view.who && view.who.role === "staff" ? outboxPanel(view) : null,
  );
  await reload();
  view.every(BADGE_MS, reload);
}

// The e-mail outbox (staff): each notice's e-mail with its state (已发送, 发送失败 with the
// reason, 待发送, 状态不明: a sender died mid-send and nobody knows whether it went).
const OUTBOX_COLUMNS = [
  { label: "状态", cell: (m) => badge(`mail-${m.status}`, m.status_label) },
  { label: "收件人", cell: (m) => m.address },
  { label: "主题", cell: (m) => m.subject },
  { label: "发送时间", cell: (m) => (m.sent_at ? fmtTime(m.sent_at) : "") },
  { label: "失败原因", cell: (m) => h("span.small", {}, m.error || "") },
];

function outboxPanel(view) {
  let page = 1;
  const box = h("div#outbox", { "aria-live": "polite" }, h("p.muted.small", {}, "读取中……"));
  const reload = async () => {
    try {
      const data = await get(`/api/v1/notices/outbox${query({ page, per_page: PER_PAGE })}`);
      if (view.gone) return;
      box.replaceChildren(
        dataTable(OUTBOX_COLUMNS, data.items, { caption: `邮件发送情况（共 ${data.total} 封）`, empty: "暂无邮件（未配置邮件服务时不发送）" }),
        pager(page, PER_PAGE, data.total, (p) => { page = p; reload(); }), // prettier-ignore
      );
    } catch (e) {
      box.replaceChildren(alertBox("error", e.message));
    }
  };
  reload();
  view.every(BADGE_MS, reload);
  return h("section.panel", {}, h("h2", {}, "邮件发送情况"), box);
}
