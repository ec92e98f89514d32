"""The roles qingshan knows: one enum for every service and layer (pure, no framework)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """Who is acting. A token names one of the first six; SYSTEM is internal (a service's own
    scheduled work, e.g. the deadline sweeper) and never accepted from a token."""

    OPERATOR = "operator"  # hotline operator (话务员)
    UNIT_HANDLER = "unit_handler"  # handling unit staff (承办单位), bound to a unit
    SUPERVISOR = "supervisor"  # 督办/审核
    ADMIN = "admin"
    INTEGRATION = "integration"  # service accounts: city 12345 platform, other departments
    PUBLIC = "public"  # a reporter using the mobile app
    SYSTEM = "system"  # internal only


ROLE_LABELS = {
    Role.OPERATOR: "话务员",
    Role.UNIT_HANDLER: "承办单位",
    Role.SUPERVISOR: "督办人员",
    Role.ADMIN: "管理员",
    Role.INTEGRATION: "系统对接",
    Role.PUBLIC: "公众",
    Role.SYSTEM: "系统",
}

# The roles a token may carry (SYSTEM never comes from outside).
TOKEN_ROLES = frozenset(r for r in Role if r is not Role.SYSTEM)
# Everyone who works with the platform: every token role but the public.
STAFF = (Role.OPERATOR, Role.UNIT_HANDLER, Role.SUPERVISOR, Role.ADMIN, Role.INTEGRATION)
