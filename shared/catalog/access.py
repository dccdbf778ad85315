"""Events of the `access-<id>` streams, owned by reporting: who read personal data (个人信息
保护法: who processed what; GB/T 22239-2019 三级 安全审计). A document that holds people's
phones and e-mails (the 汇总表 as xlsx, csv or PDF, the province package, the 推荐函, an
entry's 回执) is recorded before it is handed out, with the person (the event's actor), the
document and what it covered. Reporting's log is the record; staff admins list it
(`GET /api/v1/reports/access`).
"""

from marshmallow import Schema, fields, validate

from shared.events import declare

STREAM_TYPE = "access"
DOCUMENTS = {
    "summary_xlsx": "汇总表（Excel）",
    "summary_csv": "汇总表（CSV）",
    "summary_pdf": "汇总表（PDF）",
    "province_package": "推荐省级材料包",
    "recommendation_letter": "推荐函",
    "receipt": "回执",
}


def stream_id(access_id: str) -> str:
    return f"access-{access_id}"


class Read(Schema):
    access_id = fields.String(required=True)
    document = fields.String(required=True, validate=validate.OneOf(DOCUMENTS))
    # The filters of an export, the call of a package, the entry of a receipt.
    scope = fields.Dict(keys=fields.String(), values=fields.String(), load_default=dict)
    address = fields.String(
        load_default=None, allow_none=True
    )  # the client, as the front door saw it


PersonalDataRead = declare("PersonalDataRead", STREAM_TYPE, Read)
