"""Request-body examples in the OpenAPI document: a realistic call of each main write, as a Leizhou operator makes it.

They are the first thing a reader of /docs copies, and schemathesis sends them in its `examples` phase.
tests/integration/test_openapi_examples.py posts each one, in the order of EXAMPLES, to a fresh seeded world and
expects a 2xx: the dispatch names the incident the example before it creates (id 1) and a seeded team (id 1).
"""

from typing import Any, Final

JSON: Final = "application/json"
FORM: Final = "application/x-www-form-urlencoded"

# (method, path, media type) -> example name -> {"summary", "value"}; ordered as the test posts them.
EXAMPLES: Final[dict[tuple[str, str, str], dict[str, dict[str, Any]]]] = {
    ("post", "/api/v1/auth/token", FORM): {
        "duty_officer": {
            "summary": "A duty officer signs in (OAuth2 password form)",
            "value": {"grant_type": "password", "username": "duty_officer", "password": "Leizhou-0759-duty"},
        },
    },
    ("post", "/api/v1/teams", JSON): {
        "volunteer_water_rescue": {
            "summary": "A volunteer water-rescue team joins the roster",
            "value": {
                "name": "雷州市蓝天救援队",
                "kind": "social",
                "capabilities": ["water_rescue", "boat", "rope_rescue"],
                "personnel": 24,
                "home_jurisdiction": "leicheng",
                "base_lat": 20.918,
                "base_lon": 110.081,
                "contact_phone": "0759-8612345",
            },
        },
    },
    ("post", "/api/v1/depots", JSON): {
        "street_reserve": {
            "summary": "The street office's emergency supply reserve",
            "value": {
                "name": "雷城街道应急物资储备库",
                "jurisdiction": "leicheng",
                "lat": 20.912,
                "lon": 110.092,
                "operator": "gov",
            },
        },
    },
    ("post", "/api/v1/incidents", JSON): {
        "house_fire": {
            "summary": "A house fire with two people trapped",
            "value": {
                "title": "雷城街道西湖大道民房火灾",
                "type": "fire",
                "lat": 20.9142,
                "lon": 110.0861,
                "address": "雷州市雷城街道西湖大道88号",
                "jurisdiction": "leicheng",
                "trapped": 2,
                "at_risk": 6,
                "evacuated": 15,
            },
        },
        "typhoon_flood": {
            "summary": "Typhoon flooding; the jurisdiction is resolved from the coordinates",
            "value": {
                "title": "白沙镇台风暴雨村庄内涝",
                "type": "typhoon_flood",
                "lat": 20.951,
                "lon": 110.158,
                "address": "雷州市白沙镇东湖村",
                "trapped": 12,
                "evacuated": 240,
            },
        },
    },
    ("post", "/api/v1/dispatches", JSON): {
        "first_engine": {
            "summary": "Send the nearest available fire station to the house fire",
            "value": {"incident_id": 1, "team_id": 1},
        },
    },
}


def document_examples(schema: dict[str, Any]) -> dict[str, Any]:
    """The document with EXAMPLES on their request bodies; an operation or media type gone is an error here."""
    for (method, path, media_type), examples in EXAMPLES.items():
        content = schema["paths"][path][method]["requestBody"]["content"][media_type]
        content["examples"] = examples
    return schema
