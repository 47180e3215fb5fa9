"""Closed vocabularies of the domain model (DESIGN §4–§6); values are the wire format."""

from enum import StrEnum


class JurisdictionKind(StrEnum):
    city = "city"
    town = "town"
    street = "street"
    neighbor = "neighbor"


class TeamKind(StrEnum):
    fire_rescue = "fire_rescue"
    enterprise_fulltime = "enterprise_fulltime"
    social = "social"
    medical = "medical"
    hazmat = "hazmat"
    mine_rescue = "mine_rescue"
    water_rescue = "water_rescue"
    utility = "utility"
    militia = "militia"


class TeamStatus(StrEnum):
    available = "available"
    dispatched = "dispatched"
    en_route = "en_route"
    on_scene = "on_scene"
    returning = "returning"
    out_of_service = "out_of_service"


class Capability(StrEnum):
    fire_suppression = "fire_suppression"
    hazmat = "hazmat"
    decontamination = "decontamination"
    medical = "medical"
    water_rescue = "water_rescue"
    boat = "boat"
    diving = "diving"
    structural_collapse = "structural_collapse"
    heavy_equipment = "heavy_equipment"
    mine_rescue = "mine_rescue"
    rope_rescue = "rope_rescue"
    vehicle_extrication = "vehicle_extrication"
    gas_repair = "gas_repair"
    power_repair = "power_repair"
    elevator_rescue = "elevator_rescue"
    crowd_control = "crowd_control"
    flood_pumping = "flood_pumping"
    search_rescue = "search_rescue"
    explosive_handling = "explosive_handling"
    logistics = "logistics"


class DepotOperator(StrEnum):
    gov = "gov"
    enterprise = "enterprise"


class MovementReason(StrEnum):
    receive = "receive"
    allocate = "allocate"
    return_ = "return"
    consume = "consume"
    adjust = "adjust"
    expire = "expire"


class RiskLevel(StrEnum):
    red = "red"
    orange = "orange"
    yellow = "yellow"
    blue = "blue"


class HazardKind(StrEnum):
    hazchem_storage = "hazchem_storage"
    gas_station = "gas_station"
    ammonia_refrigeration = "ammonia_refrigeration"
    fireworks_store = "fireworks_store"
    mine = "mine"
    pipeline = "pipeline"
    crowded_place = "crowded_place"
    construction_site = "construction_site"
    port_wharf = "port_wharf"
    special_equipment = "special_equipment"


class IncidentType(StrEnum):
    fire = "fire"
    road_traffic = "road_traffic"
    construction_collapse = "construction_collapse"
    hazchem_leak = "hazchem_leak"
    mine = "mine"
    water_rescue = "water_rescue"
    ammonia_leak = "ammonia_leak"
    fireworks_explosion = "fireworks_explosion"
    gas_pipeline = "gas_pipeline"
    special_equipment = "special_equipment"
    crowd_crush = "crowd_crush"
    typhoon_flood = "typhoon_flood"
    landslide = "landslide"
    other = "other"


class Role(StrEnum):
    admin = "admin"
    operator = "operator"
    team_leader = "team_leader"
    observer = "observer"
    drill_controller = "drill_controller"


class Severity(StrEnum):
    """Accident grades of 生产安全事故报告和调查处理条例 art. 3, lowest first."""

    ordinary = "ordinary"
    major = "major"
    serious = "serious"
    especially_serious = "especially_serious"


class IncidentStatus(StrEnum):
    reported = "reported"
    verified = "verified"
    responding = "responding"
    contained = "contained"
    closed = "closed"
    dismissed = "dismissed"


class DispatchStatus(StrEnum):
    dispatched = "dispatched"
    acknowledged = "acknowledged"
    en_route = "en_route"
    on_scene = "on_scene"
    released = "released"
    cancelled = "cancelled"


class AllocationStatus(StrEnum):
    reserved = "reserved"
    issued = "issued"
    returned = "returned"
    consumed = "consumed"
    cancelled = "cancelled"


class EscalationLevel(StrEnum):
    county = "county"
    city = "city"
    province = "province"
    national = "national"


class EscalationKind(StrEnum):
    report = "report"
    supplementary = "supplementary"
    follow_up = "follow_up"
    final = "final"


class MutualAidStatus(StrEnum):
    requested = "requested"
    approved = "approved"
    declined = "declined"
    fulfilled = "fulfilled"


class DrillStatus(StrEnum):
    running = "running"
    ended = "ended"
