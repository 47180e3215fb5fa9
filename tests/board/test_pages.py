"""Each page through the real app with the API faked: what it shows, what each role can and cannot do."""

import re

import pytest

from tests.board.conftest import signed_in


def markdown_in(at, key: str) -> str:
    return (
        "\n".join(m.value for m in at.get("markdown") if m.value)
        if key == "*"
        else "\n".join(m.value for m in at.container(key=key).markdown)
    )


def test_situation_lists_incidents_by_grade_then_elapsed_and_shouts_late_reports(fake):
    at = signed_in(fake, "operator")
    table = markdown_in(at, "incident_list")
    # Two serious incidents, the longer-running one first, then the ordinary one.
    assert table.index("渔船翻沉") < table.index("民房火灾") < table.index("冷库氨泄漏")
    assert "Serious" in table  # the grade in words beside its colour
    late = markdown_in(at, "escalations")
    assert "LATE" in late
    assert "-0:0" in late
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Teams available"] == "5"
    assert tiles["Ⅱ Serious"] == "2"


def test_situation_shows_overdue_teams_with_words(fake):
    fake.dispatches.append(
        {
            "id": 1,
            "incident_id": 2,
            "team_id": 23,
            "status": "dispatched",
            "dispatched_at": "2020-01-01T00:00:00Z",
            "acknowledged_at": None,
            "en_route_at": None,
            "on_scene_at": None,
        }
    )
    at = signed_in(fake, "operator")
    overdue = markdown_in(at, "overdue")
    assert "FAR OVERDUE" in overdue
    assert "企水港水上救援队" in overdue


@pytest.mark.parametrize(("username", "may_act"), [("operator", True), ("observer", False)])
def test_incident_actions_only_for_operators(fake, username, may_act):
    at = signed_in(fake, username, "views/incident.py")
    keys = {b.key for b in at.button}
    assert ("dispatch_proposed" in keys) is may_act
    assert ("report-7" in keys) is False  # the fake has no escalations listed for the incident
    assert ("transition-verified" in keys) is may_act
    assert "渔船翻沉" in markdown_in(at, "*")  # the observer still reads everything


def test_dispatching_the_proposed_set_sends_one_idempotent_request_per_team(fake):
    at = signed_in(fake, "operator", "views/incident.py")
    at.button(key="dispatch_proposed").click().run()
    posts = fake.posts("/dispatches")
    assert len(posts) == 1
    assert posts[0].headers["Idempotency-Key"]
    assert fake.dispatches[0]["team_id"] == 23
    assert any("dispatched" in s.value for s in at.success)


def test_intake_double_click_sends_one_key_and_another_report_a_new_one(fake):
    at = signed_in(fake, "operator", "views/intake.py")
    at.text_input(key="intake_title").input("堤坝管涌")
    at.button(key="intake_submit").click().run()
    at.button(key="intake_submit").click().run()  # the same report again: a double click
    at.text_input(key="intake_title").input("山体滑坡")
    at.button(key="intake_submit").click().run()
    keys = [r.headers["Idempotency-Key"] for r in fake.posts("/incidents")]
    assert len(keys) == 3
    assert keys[0] == keys[1] != keys[2]  # the API replays the first answer for the second click
    assert at.session_state["intake_last"]["title"] == "山体滑坡"


def test_intake_retry_after_a_failure_reuses_the_key(fake, monkeypatch):
    at = signed_in(fake, "operator", "views/intake.py")
    original = fake.route

    def failing(request, path, user):
        if request.method == "POST" and path == "/incidents":
            return __import__("httpx").Response(503, json={"title": "Service unavailable"})
        return original(request, path, user)

    monkeypatch.setattr(fake, "route", failing)
    at.text_input(key="intake_title").input("堤坝管涌")
    at.button(key="intake_submit").click().run()
    at.button(key="intake_submit").click().run()
    keys = [r.headers["Idempotency-Key"] for r in fake.posts("/incidents")]
    assert len(keys) == 2
    assert keys[0] == keys[1]
    assert any("503" in e.value for e in at.error)


@pytest.mark.parametrize(
    ("username", "pages"),
    [
        ("operator", {"situation", "intake", "incident", "resources", "hazards", "cooperation", "drills"}),
        ("observer", {"situation", "incident", "resources", "hazards", "cooperation"}),
        ("leader", {"my_team", "situation"}),
        ("controller", {"drills"}),
    ],
)
def test_each_role_gets_its_pages_only(fake, username, pages):
    at = signed_in(fake, username)
    # AppTest names the registered pages when asked for one that is not there.
    with pytest.raises(ValueError, match="Known pages") as refused:
        at.switch_page("views/my_team.py" if "my_team" not in pages else "views/intake.py")
    known = set(re.findall(r"views/(\w+)\.py", str(refused.value).split("Known pages")[1]))
    assert known == pages


def test_team_leader_advances_their_own_dispatch_with_big_buttons(fake):
    fake.dispatches.append(
        {
            "id": 5,
            "incident_id": 3,
            "team_id": 23,
            "status": "dispatched",
            "dispatched_at": "2026-01-01T00:00:00Z",
            "acknowledged_at": None,
            "en_route_at": None,
            "on_scene_at": None,
        }
    )
    at = signed_in(fake, "leader")
    assert "渔船翻沉" in markdown_in(at, "*")
    at.button(key="advance-acknowledged").click().run()
    assert fake.dispatches[0]["status"] == "acknowledged"
    at.button(key="advance-en_route").click().run()
    assert fake.dispatches[0]["status"] == "en_route"
    assert [r.url.path for r in fake.posts("/dispatches/5/status")] == ["/api/v1/dispatches/5/status"] * 2
    # Only their own team's dispatches were asked for.
    gets = [r for r in fake.requests if r.method == "GET" and r.url.path == "/api/v1/dispatches"]
    assert gets
    assert all(r.url.params.get("team_id") == "23" for r in gets)


def test_drill_controller_sees_drills_only(fake):
    at = signed_in(fake, "controller")
    assert at.text_input(key="drill_name") is not None
    assert not [r for r in fake.requests if r.url.path == "/api/v1/situation" and "drill_id" not in r.url.params]


@pytest.mark.parametrize(("username", "may_import"), [("operator", True), ("observer", False)])
def test_resources_offers_import_to_writers_only(fake, username, may_import):
    at = signed_in(fake, username, "views/resources.py")
    assert at.dataframe  # teams and supplies tables drawn
    assert bool([w for w in at.get("file_uploader") if w.key == "import_file"]) is may_import


def test_hazards_table_sorted_red_first_with_the_grade_in_words(fake):
    at = signed_in(fake, "observer", "views/hazards.py")
    [table] = [d.value for d in at.dataframe if "Risk" in d.value.columns]
    assert list(table["Risk"]) == ["◆ Red — major risk", "◆ Blue — low risk"]


@pytest.mark.parametrize(("username", "may_decide"), [("operator", True), ("observer", False)])
def test_cooperation_decisions_for_operators_only(fake, username, may_decide):
    at = signed_in(fake, username, "views/cooperation.py")
    keys = {b.key for b in at.button}
    assert ("approve-4" in keys) is may_decide
    assert ("decline-4" in keys) is may_decide
    assert "suixi" in markdown_in(at, "*")
