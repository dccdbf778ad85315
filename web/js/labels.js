// Chinese names for the codes the API speaks (docs/api.md, docs/domain.md). Categories, states
// and material kinds come from intake's catalog; the rest are the console's own words.

export { CATEGORIES, MATERIAL_KINDS, STATES } from "./catalog.js";

export const CATEGORY_HINTS = {
  achievement: "经评价的科研成果或权属清晰的专利，寻求转化（科技所能）",
  promotion: "成熟的自主高新技术，寻求推广应用（科技所能）",
  challenge: "需要联合攻关或委托研发的技术难题（科技所需）",
  finance: "银行等机构面向科技企业的金融产品（科技服务）",
};

export const STATUSES = { draft: "草稿", submitted: "已提交", returned: "已退回修改", withdrawn: "已撤回" };

export const SCREENING_STATES = {
  pending: "待筛查",
  incomplete: "待补充材料",
  in_review: "待审核",
  eligible: "符合条件",
  ineligible: "不符合条件",
};

export const OUTCOMES = { pass: "通过", fail: "不符合", missing: "缺材料", review: "需人工审核", priority: "优先" };

export const MATERIAL_STATUSES = {
  awaiting_upload: "待上传",
  verifying: "校验中",
  stored: "已存储",
  rejected: "已退回",
  expired: "已过期",
};

export const REVIEW_DECISIONS = { eligible: "符合条件", ineligible: "不符合条件" };
export const SELECTIONS = { selected: "入选", not_selected: "未入选" };

export const EVENT_TYPES = {
  SubmissionDrafted: "创建草稿",
  SubmissionUpdated: "修改内容",
  SubmissionSubmitted: "提交",
  SubmissionWithdrawn: "撤回",
  SubmissionReturned: "退回修改",
  ServiceOfficerAssigned: "指派服务专员（保姆）",
};

export const ROLES = { office: "区县科协", staff: "市科协工作人员", operator: "运维人员" };

export const label = (table, code) => (code == null ? "" : table[code] || code);

// Times are shown in Beijing time, whatever the browser's zone: the call's deadlines are.
const BEIJING = new Intl.DateTimeFormat("zh-CN", {
  timeZone: "Asia/Shanghai",
  hourCycle: "h23",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});

export function fmtTime(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const part = Object.fromEntries(BEIJING.formatToParts(d).map((x) => [x.type, x.value]));
  return `${part.year}-${part.month}-${part.day} ${part.hour}:${part.minute}:${part.second}`;
}

export function fmtBytes(n) {
  if (n == null) return "";
  const units = ["B", "KiB", "MiB", "GiB"];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${v.toFixed(i ? 1 : 0)} ${units[i]}`;
}
