"""The JSON responses of retry-safe writes (api.common.idempotency.OrjsonResponse) read as the stdlib's would."""

import json

from api.common.idempotency import OrjsonResponse


def test_body_parses_to_what_the_stdlib_json_response_would_give() -> None:
    content = {"id": 7, "counts": {3: 1, 4: 2}, "name": "雷州", "ratio": 0.25, "none": None}
    parsed = json.loads(bytes(OrjsonResponse(content).body))
    assert parsed == json.loads(json.dumps(content))
    assert parsed["counts"] == {"3": 1, "4": 2}
