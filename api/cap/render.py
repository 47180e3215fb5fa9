"""Build one CAP 1.2 alert document from plain data with the standard library's ElementTree.

Element order follows the schema's sequences (alert → info → area); the
schema rejects any other order, so keep it when adding elements.
"""

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from api.cap import mapping
from resources_db.enums import IncidentStatus, IncidentType, Severity

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
MEDIA_TYPE = "application/cap+xml"
# CAP times carry an explicit offset; Leizhou's is China Standard Time (+08:00, no DST).
CST = timezone(timedelta(hours=8), "CST")
LANGUAGE = "zh-CN"


@dataclass(frozen=True)
class AlertInput:
    incident_id: int
    version: int
    title: str
    type: IncidentType
    status: IncidentStatus
    severity: Severity
    lat: float
    lon: float
    address: str | None
    jurisdiction_zh: str
    jurisdiction_en: str
    deaths: int
    serious_injuries: int
    direct_loss_cny: int
    drill_id: int | None
    sent: datetime
    sender: str
    sender_name: str
    radius_km: float


def cap_datetime(at: datetime) -> str:
    """CAP dateTime: seconds precision, explicit offset, never 'Z' (e.g. 2026-11-30T10:00:00+08:00)."""
    if at.tzinfo is None:
        raise ValueError("naive datetime; CAP times need an offset")
    return at.astimezone(CST).replace(microsecond=0).isoformat()


def circle(lat: float, lon: float, radius_km: float) -> str:
    """CAP circle "lat,lon radius": WGS 84 decimal degrees and a radius in km."""
    return f"{round(lat, 6)},{round(lon, 6)} {float(radius_km)}"


def description(a: AlertInput) -> str:
    zh = (
        f"死亡 {a.deaths} 人，重伤 {a.serious_injuries} 人，直接经济损失 {a.direct_loss_cny} 元；"
        f"事件状态：{a.status.value}。"
    )
    en = (
        f"Casualties: {a.deaths} dead, {a.serious_injuries} seriously injured; "
        f"direct loss CNY {a.direct_loss_cny:,}; status: {a.status.value}; grade: {a.severity.value}."
    )
    return f"{zh}\n{en}"


def _sub(parent: ET.Element, tag: str, text: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{CAP_NS}}}{tag}")
    el.text = text
    return el


def render(a: AlertInput) -> bytes:
    """The alert as UTF-8 XML with declaration, CAP namespace as the default namespace."""
    alert = ET.Element(f"{{{CAP_NS}}}alert")
    _sub(alert, "identifier", mapping.identifier(a.incident_id, a.version))
    _sub(alert, "sender", a.sender)
    _sub(alert, "sent", cap_datetime(a.sent))
    _sub(alert, "status", mapping.alert_status(a.drill_id))
    # Always Alert: an Update must cite the earlier message's exact `sent`, which we do not keep per version.
    _sub(alert, "msgType", "Alert")
    _sub(alert, "scope", "Public")
    if a.drill_id is not None:
        _sub(alert, "note", f"演练 Exercise: drill {a.drill_id}")
    # Groups every version's message under one incident (CAP `incidents`, space-separated names).
    _sub(alert, "incidents", f"ercp-leizhou-incident-{a.incident_id}")

    info = ET.SubElement(alert, f"{{{CAP_NS}}}info")
    _sub(info, "language", LANGUAGE)
    _sub(info, "category", mapping.category(a.type))
    _sub(info, "event", mapping.event(a.type))
    _sub(info, "urgency", mapping.urgency(a.status))
    _sub(info, "severity", mapping.severity(a.severity, a.status))
    _sub(info, "certainty", mapping.certainty(a.status))
    _sub(info, "senderName", a.sender_name)
    _sub(info, "headline", a.title)
    _sub(info, "description", description(a))

    area = ET.SubElement(info, f"{{{CAP_NS}}}area")
    place = f"{a.jurisdiction_zh} {a.jurisdiction_en}"
    _sub(area, "areaDesc", f"{place}, {a.address}" if a.address else place)
    _sub(area, "circle", circle(a.lat, a.lon, a.radius_km))
    body: bytes = ET.tostring(alert, encoding="utf-8", xml_declaration=True, default_namespace=CAP_NS)
    return body
