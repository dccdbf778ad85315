// Chinese names for the codes the API speaks (docs/api.md, docs/domain.md).

export const CATEGORIES = {
  achievement: "科技成果转化项目",
  promotion: "高新技术推广项目",
  challenge: "科技难题攻关项目",
  finance: "科技金融创新产品",
};

export const CATEGORY_HINTS = {
  achievement: "经评价的科研成果或权属清晰的专利，寻求转化（科技所能）",
  promotion: "成熟的自主高新技术，寻求推广应用（科技所能）",
  challenge: "需要联合攻关或委托研发的技术难题（科技所需）",
  finance: "银行等机构面向科技企业的金融产品（科技服务）",
};

// The overall state in reports, in the order of an entry's life.
export const STATES = {
  draft: "草稿",
  submitted: "已提交（待筛查）",
  incomplete: "待补充材料",
  in_review: "待审核",
  eligible: "符合条件",
  ineligible: "不符合条件",
  withdrawn: "已撤回",
  selected: "已入选",
};

export const STATUSES = { draft: "草稿", submitted: "已提交", withdrawn: "已撤回" };

export const SCREENING_STATES = {
  pending: "待筛查",
  incomplete: "待补充材料",
  in_review: "待审核",
  eligible: "符合条件",
  ineligible: "不符合条件",
};

export const OUTCOMES = { pass: "通过", fail: "不符合", missing: "缺材料", review: "需人工审核", priority: "优先" };

export const MATERIAL_KINDS = { promo_video: "推介视频", introduction: "项目介绍资料", proof: "成果证明材料" };

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
  ServiceOfficerAssigned: "指派服务专员（保姆）",
};

export const ROLES = { office: "区县科协", staff: "市科协工作人员", operator: "运维人员" };

export const OPTIONS = {
  "applicant.type": {
    enterprise: "企业",
    university: "高校",
    institute: "科研院所",
    government: "政府部门",
    society: "学会",
    workstation: "院士（专家）工作站",
    individual: "个人",
    financial_institution: "金融机构",
  },
  "declarations.statutory_review": { not_required: "无需法定审查", approved: "已通过法定审查", pending: "审查中" },
  "ip.dispute": { none: "无争议", resolved: "争议已解决", unresolved: "存在未解决的争议" },
  tech_level: {
    international_advanced: "国际先进",
    domestic_leading: "国内领先",
    domestic_advanced: "国内先进",
    other: "其他",
  },
  deployment: {
    lab: "实验室阶段",
    pilot_completed: "已完成中试",
    early_industrialization: "产业化初期",
    widely_deployed: "已大面积推广",
  },
  "partners.type": { university: "高校", institute: "科研院所", enterprise: "企业" },
  "awards.level": { national: "国家级", provincial_ministerial: "省部级", city: "市级", other: "其他" },
  plan_project: { none: "无", provincial: "省级科技计划项目", national: "国家级科技计划项目" },
  cooperation_mode: { joint: "联合开发", commissioned: "委托开发", either: "均可", none: "不愿合作" },
  product_type: { loan: "贷款", insurance: "保险", guarantee: "担保", equity: "股权投资", other: "其他" },
};

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
