"""The receipt form (回执) per category, as the console shows it, derived from the entry schemas.

Which fields a category takes, which are required to submit, their types, choices and lengths
are read from `services.intake.domain.entry`'s schemas, so the form cannot drift from what
intake validates. Only what the schemas do not hold is written here: the Chinese labels, and
the order in which the notice's receipt lists the fields.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from services.intake.domain.entry import SCHEMAS, Phone
from shared import countries
from shared.catalog.vocabulary import APPLICANT_TYPE_LABELS, TECH_LEVEL_LABELS
from shared.fields import Flag, Items, Object, WholeNumber

# Top-level fields in the receipt's order; a nested object's keys follow its schema's order.
ORDER = (
    "title", "summary", "benefits", "platform_listing_id", "applicant", "contact",
    "declarations", "ip", "lead", "tech_level", "deployment", "lead_enterprise", "partners",
    "agreement_signed", "plan_project", "awards", "solved", "cooperation_mode", "institution",
    "product_type", "industry_codes", "keywords",
)  # fmt: skip

# A place is its GB/T 2260 code under this key (`applicant.region_code`, `lead.region_code`).
REGION_KEY = "region_code"

# Industries are GB/T 4754-2017 codes under this key.
INDUSTRY_KEY = "industry_codes"

# Not asked on the form: the category is chosen before it, the call is the open one.
NOT_ON_FORM = ("category", "call_id")

LABELS = {
    "title": "项目名称",
    "summary": "项目简介",
    "benefits": "效益（经济、社会或生态效益）",
    "platform_listing_id": "天府科技云平台发布编号",
    "applicant": "申报单位",
    "applicant.name": "单位名称",
    "applicant.type": "单位类型",
    "applicant.region_code": "所在地（行政区划）",
    "applicant.province": "所在省份",
    "applicant.city": "所在市（州）",
    "applicant.district": "所在区县",
    "contact": "联系人",
    "contact.name": "姓名",
    "contact.phone": "联系电话",
    "contact.email": "电子邮箱",
    "declarations": "声明",
    "declarations.lawful": "符合法律法规和社会公德，不危害公共利益、环境和资源",
    "declarations.state_secret": "涉及国家秘密",
    "declarations.statutory_review": "法定机构审查",
    "ip": "知识产权",
    "ip.ownership_clear": "权属清晰、权利义务明确",
    "ip.dispute": "知识产权或法律纠纷",
    "ip.patents": "专利号",
    "lead": "项目负责人",
    "lead.name": "负责人姓名",
    "lead.title": "职称",
    "lead.affiliation": "所在单位",
    "lead.affiliation_type": "所在单位类型",
    "lead.country": "所在单位所在国家或地区",
    "lead.region_code": "所在单位所在地（行政区划，境内填写）",
    "tech_level": "技术水平",
    "deployment": "应用阶段",
    "lead_enterprise": "牵头单位",
    "lead_enterprise.name": "牵头单位名称",
    "lead_enterprise.type": "牵头单位类型",
    "partners": "技术合作单位（高校或科研院所）",
    "partners.name": "名称",
    "partners.type": "类型",
    "agreement_signed": "已签订合作合同（协议）",
    "plan_project": "科技计划项目",
    "awards": "获奖情况",
    "awards.name": "名称",
    "awards.level": "级别",
    "awards.year": "年份",
    "solved": "该难题已攻克",
    "cooperation_mode": "合作方式",
    "institution": "发布机构",
    "product_type": "产品类型",
    "industry_codes": "所属行业（国民经济行业分类）",
    "keywords": "关键词",
}

AFFILIATION_TYPE_LABELS = {
    "university": "高校",
    "institute": "科研院所",
    "enterprise": "企业",
    "other": "其他",
}

# ISO 3166-1 alpha-2 → 中文名, 中国 first (the usual answer), then by code.
COUNTRY_LABELS = {
    code: str(countries.name_of(code))
    for code in sorted(countries.codes(), key=lambda c: (c != countries.CHINA, c))
}
CHOICE_LABELS = {
    "applicant.type": APPLICANT_TYPE_LABELS,
    "declarations.statutory_review": {
        "not_required": "无需法定审查",
        "approved": "已通过法定审查",
        "pending": "审查中",
    },
    "ip.dispute": {"none": "无争议", "resolved": "争议已解决", "unresolved": "存在未解决的争议"},
    "lead.affiliation_type": AFFILIATION_TYPE_LABELS,
    "lead.country": COUNTRY_LABELS,
    "lead_enterprise.type": AFFILIATION_TYPE_LABELS,
    "tech_level": TECH_LEVEL_LABELS,
    "deployment": {
        "lab": "实验室阶段",
        "pilot_completed": "已完成中试",
        "early_industrialization": "产业化初期",
        "widely_deployed": "已大面积推广",
    },
    "partners.type": {"university": "高校", "institute": "科研院所", "enterprise": "企业"},
    "awards.level": {
        "national": "国家级",
        "provincial_ministerial": "省部级",
        "city": "市级",
        "other": "其他",
    },
    "plan_project": {
        "none": "无",
        "provincial": "省级科技计划项目",
        "national": "国家级科技计划项目",
    },
    "cooperation_mode": {
        "joint": "联合开发",
        "commissioned": "委托开发",
        "either": "均可",
        "none": "不愿合作",
    },
    "product_type": {
        "loan": "贷款",
        "insurance": "保险",
        "guarantee": "担保",
        "equity": "股权投资",
        "other": "其他",
    },
}


def form(category: str) -> list[dict[str, Any]]:
    """The receipt's fields for `category`, in order: nested objects flattened to dotted names
    (`applicant.name`), each required only when its object is."""
    taken = SCHEMAS[category]().fields
    described: list[dict[str, Any]] = []
    for name in ORDER:
        if name in taken:
            described += _flattened(name, taken[name], parent_required=True)
    return described


def _flattened(path: str, field: fields.Field[Any], parent_required: bool) -> list[dict[str, Any]]:
    # Some keys are optional in a draft's nested object but asked for on submitting
    # (`applicant.region_code`): the form marks what submitting asks for.
    required = parent_required and (field.required or "required_to_submit" in field.metadata)
    if isinstance(field, Object):
        return [
            item
            for key, inner in _schema(field).fields.items()
            for item in _flattened(f"{path}.{key}", inner, required)
        ]
    return [{"name": path, "label": LABELS[path], "required": required, **_shape(path, field)}]


def _shape(path: str, field: fields.Field[Any]) -> dict[str, Any]:
    """What a value of `field` looks like: its type, and its choices or limits."""
    if isinstance(field, Flag):
        return {"type": "boolean"}
    if isinstance(field, WholeNumber):
        return {"type": "integer"}
    if isinstance(field, Items):
        return {"type": "list", "max_items": _max(field), "item": _item(path, field.inner)}
    rules = _rules(field)
    choices = next((r.choices for r in rules if isinstance(r, validate.OneOf)), None)
    if choices is not None:
        labels = CHOICE_LABELS[path]
        return {"type": "choice", "choices": [{"code": c, "label": labels[c]} for c in choices]}
    if isinstance(field, Phone):
        return {"type": "phone"}
    if path.rpartition(".")[2] == REGION_KEY:
        return {"type": "region"}  # a GB/T 2260 code, picked from the catalog's `regions`
    if path == INDUSTRY_KEY:
        return {"type": "industry"}  # a GB/T 4754 code, picked from the catalog's `industries`
    if any(isinstance(r, validate.Email) for r in rules):
        return {"type": "email"}
    return {"type": "text", "max_length": _max(field)}


def _item(path: str, inner: fields.Field[Any]) -> dict[str, Any]:
    if isinstance(inner, Object):
        return {
            "type": "object",
            "fields": [
                {
                    "name": key,
                    "label": LABELS[f"{path}.{key}"],
                    "required": field.required,
                    **_shape(f"{path}.{key}", field),
                }
                for key, field in _schema(inner).fields.items()
            ],
        }
    return _shape(path, inner)


def _schema(field: Object) -> Schema:
    schema = field.schema
    assert isinstance(schema, Schema)
    return schema


def _rules(field: fields.Field[Any]) -> list[Any]:
    return list(field.validators)


def _max(field: fields.Field[Any]) -> int | None:
    return next(
        (r.max for r in _rules(field) if isinstance(r, validate.Length) and r.max is not None),
        None,
    )
