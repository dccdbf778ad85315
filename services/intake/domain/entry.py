"""An entry's fields (申报项目的内容): their shape, which ones each category takes, and checks.

One marshmallow schema per category, built from a table that reads like api.md's "Which fields
each category takes". A schema's `required` means "required to submit": drafts may lack those
fields, and `missing_for_submit` names the ones still missing. Every message is Chinese, since
it goes straight back to the district office.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from services.intake.domain.phones import Phone
from shared import countries, industries, regions
from shared.calls import BEIJING
from shared.catalog.upcast import PLACE_NAMES, applicant_with_code
from shared.catalog.vocabulary import ACHIEVEMENT, APPLICANT_TYPE_LABELS, CATEGORIES, PROMOTION
from shared.fields import (
    Flag,
    Items,
    Object,
    StrictSchema,
    Text,
    WholeNumber,
)

NOT_USED = "该类别不使用此字段"
MISSING = "提交前必须填写"
CATEGORY_FIXED = "不能修改项目类别"

FIRST_YEAR = 1949

REGION_EXAMPLE = "如 511902（巴中市巴州区）"
REGION_SHAPE = f"须为六位行政区划代码（GB/T 2260），{REGION_EXAMPLE}"
REGION_UNKNOWN = f"没有这个行政区划代码，请填写六位 GB/T 2260 代码，{REGION_EXAMPLE}"
REGION_MISSING = f"提交前必须填写所在地行政区划代码 region_code（六位），{REGION_EXAMPLE}"
INDUSTRY_UNKNOWN = (
    "须为国民经济行业分类（GB/T 4754-2017）的门类字母（A 到 T）或大类代码（01 到 97）"
)
MAX_KEYWORDS = 8
AFFILIATION_TYPES = ("university", "institute", "enterprise", "other")
# marshmallow formats error messages: the braces are doubled.
LEAD_ENTERPRISE_SHAPE = (
    '须为对象 {{"name": 牵头单位名称, "type": 单位类型}}，'
    "type 为 enterprise、university、institute、other 之一"
)


class EntryInvalid(Exception):
    """The body breaks the rules; `fields` maps dotted paths to Chinese messages."""

    def __init__(self, fields: dict[str, list[str]]) -> None:
        super().__init__(fields)
        self.fields = fields


def _submit_requires(field: fields.Field[Any], message: str = MISSING) -> fields.Field[Any]:
    """`field` optional in a draft (even inside a nested object given whole) but required to
    submit, with `message` naming what to give."""
    field.metadata = {**field.metadata, "required_to_submit": message}
    return field


def _text(max_len: int, *rules: validate.Validator, required: bool = False) -> Text:
    length = validate.Length(1, max_len, error="长度须在 {min} 到 {max} 个字之间")
    return Text(validate=[length, *rules], required=required)


def _choice(*choices: str, required: bool = False) -> Text:
    rule = validate.OneOf(choices, error="必须是以下之一：" + "、".join(choices))
    return Text(validate=rule, required=required)


def _known_region(code: str) -> None:
    if not regions.is_known(code):
        raise ValidationError(REGION_UNKNOWN)


def _region_code(required: bool = False) -> Text:
    shape = validate.Regexp(r"\d{6}\Z", error=REGION_SHAPE)
    return Text(validate=[shape, _known_region], required=required)


def _known_industry(code: str) -> None:
    if not industries.is_known(code):
        raise ValidationError(INDUSTRY_UNKNOWN)


def _distinct(values: list[Any]) -> None:
    if len(set(values)) != len(values):
        raise ValidationError("不能重复")


def _year_in_range(year: int) -> None:
    this_year = datetime.now(BEIJING).year  # read per call: a service outlives New Year
    if not FIRST_YEAR <= year <= this_year:
        raise ValidationError(f"年份须在 {FIRST_YEAR} 到 {this_year} 之间")


# --- nested objects ---------------------------------------------------------------------


class Applicant(StrictSchema):
    name = _text(200, required=True)
    type = _choice(*APPLICANT_TYPE_LABELS, required=True)  # the receipt's order
    # The place is its code; the names are kept as written and, given without a code, mapped
    # to one (`with_region_code`).
    region_code = _submit_requires(_region_code(), REGION_MISSING)
    province = _text(50)
    city = _text(50)
    district = _text(50)


# ISO 3166-1 alpha-2, 中国 first (what the form offers first).
COUNTRIES = tuple(sorted(countries.codes(), key=lambda c: (c != countries.CHINA, c)))
LEAD_REGION_MISSING = "负责人所在单位在中国境内的，须填写所在地行政区划代码 region_code（六位）"


class Lead(StrictSchema):
    """项目负责人: who leads the project, and where their affiliation is (二(一)2): a place in
    China is its GB/T 2260 code; a lead abroad (二(二)1: 国内外企业牵头) gives its country
    (ISO 3166-1 alpha-2; absent means 中国) and no code."""

    name = _text(50, required=True)
    title = _text(50)  # 职称
    affiliation = _text(200, required=True)
    affiliation_type = _choice(*AFFILIATION_TYPES, required=True)
    country = Text(
        validate=validate.OneOf(COUNTRIES, error="须为 ISO 3166-1 两位国家或地区代码，如 CN、DE")
    )
    # Required to submit only for a lead in China (`missing_for_submit`); dropped for a lead
    # abroad (`with_region_code`).
    region_code = _submit_requires(_region_code(), LEAD_REGION_MISSING)


class LeadEnterprise(StrictSchema):
    """The promotion's lead (二(二)1 asks for an enterprise; screening judges the type)."""

    name = _text(200, required=True)
    type = _choice(*AFFILIATION_TYPES, required=True)


class Contact(StrictSchema):
    name = _text(50, required=True)
    phone = Phone(required=True)
    email = Text(validate=validate.Email(error="请填写有效的电子邮箱"))


STATUTORY_REVIEW = ("not_required", "approved", "pending")


class Declarations(StrictSchema):
    lawful = Flag(required=True)
    state_secret = Flag(required=True)
    statutory_review = _choice(*STATUTORY_REVIEW)


class ReviewedDeclarations(Declarations):
    """For achievement and promotion the statutory review must be stated (二(一)6④)."""

    statutory_review = _choice(*STATUTORY_REVIEW, required=True)


class Ip(StrictSchema):
    ownership_clear = Flag(required=True)
    dispute = _choice("none", "resolved", "unresolved", required=True)
    patents = Items(_text(100), max_items=50)


class Partner(StrictSchema):
    name = _text(200, required=True)
    type = _choice("university", "institute", "enterprise", required=True)


class Award(StrictSchema):
    name = _text(200, required=True)
    level = _choice("national", "provincial_ministerial", "city", "other", required=True)
    year = WholeNumber(required=True, validate=_year_in_range)


# --- top-level fields, and which category takes which ------------------------------------

_FIELDS: dict[str, fields.Field[Any]] = {
    "category": _choice(*CATEGORIES),
    "title": _text(200),
    "summary": _text(5000),
    "benefits": _text(5000),
    "applicant": Object(Applicant),
    "contact": Object(Contact),
    "platform_listing_id": _text(
        100, validate.Regexp(r"[A-Za-z0-9_-]+\Z", error="只能包含英文字母、数字、- 和 _")
    ),
    "declarations": Object(Declarations),
    "call_id": _text(100),
    "ip": Object(Ip),
    "lead": Object(Lead),
    "tech_level": _choice(
        "international_leading",
        "international_advanced",
        "domestic_leading",
        "domestic_advanced",
        "other",
    ),
    "deployment": _choice("lab", "pilot_completed", "early_industrialization", "widely_deployed"),
    "lead_enterprise": Object(LeadEnterprise, error_messages={"type": LEAD_ENTERPRISE_SHAPE}),
    "partners": Items(Object(Partner), max_items=50),
    "agreement_signed": Flag(),
    "awards": Items(Object(Award), max_items=50),
    "plan_project": _choice("none", "provincial", "national"),
    "solved": Flag(),
    "cooperation_mode": _choice("joint", "commissioned", "either", "none"),
    "institution": _text(200),
    "product_type": _choice("loan", "insurance", "guarantee", "equity", "other"),
    # What matching (供需对接) reads beside the text: the industries and a few keywords.
    "industry_codes": Items(Text(validate=_known_industry), max_items=10, validate=_distinct),
    "keywords": Items(_text(20), max_items=MAX_KEYWORDS, validate=_distinct),
}

_COMMON = (
    "category", "title", "summary", "benefits", "applicant", "contact", "platform_listing_id",
    "declarations",
)  # fmt: skip

# api.md's "Which fields each category takes": R = required to submit, O = optional,
# - = not taken (refused). The columns follow CATEGORIES.
# fmt: off
_TABLE: tuple[tuple[tuple[str, ...], tuple[str, str, str, str]], ...] = (
    # fields                                               achievement promotion challenge finance
    (_COMMON,                                              ("R",       "R",      "R",      "R")),
    (("call_id", "industry_codes", "keywords"),            ("O",       "O",      "O",      "O")),
    (("ip", "lead", "tech_level", "deployment"),           ("R",       "R",      "-",      "-")),
    (("lead_enterprise", "partners", "agreement_signed"),  ("-",       "R",      "-",      "-")),
    (("awards", "plan_project"),                           ("-",       "O",      "-",      "-")),
    (("solved", "cooperation_mode"),                       ("-",       "-",      "R",      "-")),
    (("institution", "product_type"),                      ("-",       "-",      "-",      "R")),
)
# fmt: on

# `declarations.statutory_review` is required for these, optional otherwise.
_STATUTORY_REVIEW_REQUIRED = (ACHIEVEMENT, PROMOTION)

# A PATCH merges these key by key; every other field (lists included) is replaced whole.
NESTED_OBJECTS = ("applicant", "contact", "declarations", "ip", "lead", "lead_enterprise")


def _marked(mark: str) -> dict[str, tuple[str, ...]]:
    return {
        category: tuple(name for names, marks in _TABLE if marks[column] == mark for name in names)
        for column, category in enumerate(CATEGORIES)
    }


REQUIRED: dict[str, tuple[str, ...]] = _marked("R")
OPTIONAL: dict[str, tuple[str, ...]] = _marked("O")


def _declare(required: Sequence[str], optional: Sequence[str]) -> dict[str, fields.Field[Any]]:
    declared: dict[str, fields.Field[Any]] = {}
    for name in (*required, *optional):
        # Copied, since `required` differs per schema while the rules stay shared.
        declared[name] = copy.deepcopy(_FIELDS[name])
        declared[name].required = name in required
    return declared


def _category_schema(name: str, category: str) -> type[Schema]:
    declared = _declare(REQUIRED[category], OPTIONAL[category])
    if category in _STATUTORY_REVIEW_REQUIRED:
        declared["declarations"] = Object(ReviewedDeclarations, required=True)
    return _named(name, declared)


def _named(name: str, declared: dict[str, fields.Field[Any]]) -> type[Schema]:
    schema = StrictSchema.from_dict(declared, name=name)
    schema.__module__ = __name__  # from_dict leaves it unset; docs and reprs read it
    return schema


AchievementEntry = _category_schema("AchievementEntry", "achievement")
PromotionEntry = _category_schema("PromotionEntry", "promotion")
ChallengeEntry = _category_schema("ChallengeEntry", "challenge")
FinanceEntry = _category_schema("FinanceEntry", "finance")
SCHEMAS: dict[str, type[Schema]] = dict(
    zip(CATEGORIES, (AchievementEntry, PromotionEntry, ChallengeEntry, FinanceEntry), strict=True)
)

# Every field any category takes, none required but the category: the entry's full shape.
EntrySchema = _named(
    "EntrySchema", _declare(("category",), [name for name in _FIELDS if name != "category"])
)


# --- operations -------------------------------------------------------------------------


def load_draft(body: object, category: str | None = None) -> dict[str, Any]:
    """Check a create body, or (with `category`) a PATCH body for an entry of that category.

    Required fields may be missing; every present field must be valid and taken by the
    category. In a PATCH, nested objects may be partial (they are merged) and a top-level
    null clears the field. Returns the cleaned fields; raises `EntryInvalid`.
    """
    if not isinstance(body, dict):
        raise EntryInvalid({"_body": ["请求体必须是 JSON 对象"]})
    errors: dict[str, list[str]] = {}
    patching = category is not None
    if category is None:
        chosen = body.get("category")
        # Without a valid category only the full shape can be checked; its error says why.
        schema = SCHEMAS.get(chosen, EntrySchema) if isinstance(chosen, str) else EntrySchema
    else:
        schema = _schema_for(category)
    checker = _instance(schema)
    taken = checker.fields
    data: dict[str, Any] = {}
    cleared: list[str] = []
    for key, value in body.items():
        if patching and key == "category":
            if value != category:
                errors[key] = [CATEGORY_FIXED]
            continue
        if key not in taken and key in _FIELDS:
            errors[key] = [NOT_USED]
        elif patching and value is None and key in taken:
            cleared.append(key)
        else:
            data[key] = value  # unknown keys too: the schema reports them
    # Top-level fields may be missing from a draft; in a PATCH so may nested keys, since the
    # nested object is merged into the stored one. List items are always whole.
    partial = [name for name in taken if patching or name != "category"]
    if patching:
        partial += [f"{obj}.{key}" for obj in NESTED_OBJECTS for key in _nested_keys(taken, obj)]
    try:
        cleaned: dict[str, Any] = checker.load(data, partial=partial)
    except ValidationError as error:
        errors.update(_dotted(error.messages))
    if errors:
        raise EntryInvalid(errors)
    return {**cleaned, **dict.fromkeys(cleared)}


def merge(current: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """The fields after a (checked) PATCH: nested objects merge key by key, lists and other
    fields are replaced, and a null removes the field. Neither argument is changed."""
    merged = dict(current)
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        elif key in NESTED_OBJECTS and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def lead_abroad(fields: Mapping[str, Any]) -> bool:
    """Whether the entry's lead (项目负责人) is outside China (`lead.country`, absent: 中国)."""
    lead = fields.get("lead")
    return isinstance(lead, Mapping) and lead.get("country", countries.CHINA) != countries.CHINA


def with_region_code(fields: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    """`fields` after a create or PATCH whose checked body `given` names the applicant's place
    but gives no `region_code`: the code the (merged) names map to, or none, since a code the
    new names do not support would say the wrong place. Otherwise `fields` as they are. A lead
    abroad keeps no GB/T 2260 code (a code names a place in China)."""
    if lead_abroad(fields) and "region_code" in fields["lead"]:
        lead = {k: v for k, v in fields["lead"].items() if k != "region_code"}
        fields = fields | {"lead": lead}
    named, applicant = given.get("applicant"), fields.get("applicant")
    if (
        not isinstance(named, dict)
        or not isinstance(applicant, dict)
        or "region_code" in named
        or not any(name in named for name in PLACE_NAMES)
    ):
        return fields
    placed = applicant_with_code({k: v for k, v in applicant.items() if k != "region_code"})
    return fields | {"applicant": placed}


def missing_for_submit(category: str, fields: dict[str, Any]) -> dict[str, list[str]]:
    """Every field (nested keys as dotted paths) still missing before the entry can be
    submitted; empty when it is complete. A lead abroad gives no place code."""
    missing = _missing(_instance(_schema_for(category)), fields, "")
    if lead_abroad(fields):
        missing.pop("lead.region_code", None)
    return missing


@functools.cache
def _instance(schema: type[Schema]) -> Schema:
    """One instance per schema: building one deep-copies every field, and loading does not
    change it, so it is reused."""
    return schema()


def _schema_for(category: str) -> type[Schema]:
    try:
        return SCHEMAS[category]
    except KeyError:
        raise ValueError(f"unknown category {category!r}") from None


def _nested_keys(taken: Mapping[str, fields.Field[Any]], name: str) -> list[str]:
    field = taken.get(name)
    return list(field.schema.fields) if isinstance(field, Object) else []


def _missing(schema: Schema, values: Mapping[str, Any], prefix: str) -> dict[str, list[str]]:
    missing: dict[str, list[str]] = {}
    for name, field in schema.fields.items():
        value = values.get(name)
        if value is None:
            if field.required or "required_to_submit" in field.metadata:
                missing[prefix + name] = [field.metadata.get("required_to_submit", MISSING)]
        elif isinstance(field, Object) and isinstance(value, Mapping):
            missing.update(_missing(field.schema, value, f"{prefix}{name}."))
    return missing


def _dotted(messages: Any, path: str = "") -> dict[str, list[str]]:
    """marshmallow's nested error dict as {"contact.phone": [...], "awards.0.year": [...]}."""
    if not isinstance(messages, dict):
        return {path or "_body": list(messages) if isinstance(messages, list) else [messages]}
    flat: dict[str, list[str]] = {}
    for key, value in messages.items():
        # "_schema" holds errors about the object itself, so they belong to its own path.
        sub = path if key == "_schema" else f"{path}.{key}" if path else str(key)
        for sub_path, texts in _dotted(value, sub).items():
            flat.setdefault(sub_path, []).extend(texts)
    return flat
