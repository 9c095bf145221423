from __future__ import annotations

import strawberry
from strawberry.types import Info

from familycard.api.enums import Role
from familycard.api.permissions import SIGNED_IN
from familycard.api.types import enum_of


@strawberry.type(description=(
    "The caller, as the server reads its token: what a client shows and offers follows from `role` "
    "(a client cannot tell an API key's role itself). Nothing here is read from the store, so nothing is "
    "logged: it is the caller's own token, told back to the caller only."))
class Viewer:
    role: Role = strawberry.field(description="The role the token speaks for; what the fields' `Roles:` name.")
    subject: str = strawberry.field(description=(
        "Who the token names, exactly as the access log's `actor` records it: `key:<name>` for an API key "
        "(the key's name from FAMILYCARD_API_KEYS, never the key), else the JWT's `sub` claim as issued "
        "(`familycard token --subject`: the staff member's login, which `closedBy` and `enteredBy` show too). "
        "No citizen's data: the server adds nothing to what the token says, and tells it to its holder only."))


@strawberry.type
class Query:
    @strawberry.field(permission_classes=[SIGNED_IN], description="Who is calling: the token's role and subject.")
    def viewer(self, info: Info) -> Viewer:
        p = info.context.principal
        return Viewer(role=enum_of(Role, p.role), subject=p.subject)
