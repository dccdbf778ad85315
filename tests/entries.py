"""Entry bodies for the tests: valid and complete for each category."""

from typing import Any


def full_body(category: str) -> dict[str, Any]:
    """A body with every field the category takes, all valid."""
    body: dict[str, Any] = {
        "category": category,
        "title": "高效低成本钙钛矿太阳能电池",
        "summary": "项目简介……",
        "benefits": "年节约标准煤 1 万吨",
        "applicant": {
            "name": "巴中某科技有限公司",
            "type": "enterprise",
            "region_code": "511902",
            "province": "四川省",
            "city": "巴中市",
            "district": "巴州区",
        },
        "contact": {"name": "张三", "phone": "13800000000", "email": "zhang@example.cn"},
        "platform_listing_id": "TFY-2021_0001",
        "declarations": {"lawful": True, "state_secret": False, "statutory_review": "approved"},
        "call_id": "tianfu-2021",
        "industry_codes": ["D", "44"],
        "keywords": ["钙钛矿", "太阳能电池"],
    }
    if category in ("achievement", "promotion"):
        body |= {
            "ip": {"ownership_clear": True, "dispute": "none", "patents": ["ZL202010000000.1"]},
            "lead": {
                "name": "李四",
                "title": "教授",
                "affiliation": "四川大学",
                "affiliation_type": "university",
                "region_code": "510107",
            },
            "tech_level": "domestic_leading",
            "deployment": "pilot_completed",
        }
    if category == "promotion":
        body |= {
            "lead_enterprise": {"name": "巴中某科技有限公司", "type": "enterprise"},
            "partners": [{"name": "四川大学", "type": "university"}],
            "agreement_signed": True,
            "awards": [
                {"name": "四川省科技进步奖", "level": "provincial_ministerial", "year": 2020}
            ],
            "plan_project": "provincial",
        }
    if category == "challenge":
        body |= {"solved": False, "cooperation_mode": "joint"}
    if category == "finance":
        # 一(二)4: finance products are "金融机构推出的".
        body["applicant"] |= {"name": "巴中某银行", "type": "financial_institution"}
        body |= {"institution": "巴中某银行", "product_type": "loan"}
    return body
