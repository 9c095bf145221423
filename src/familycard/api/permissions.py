"""Who may do what, and who sees which personal data.

What each role is for, and so what it sees in full (the README has this table):

| field           | frontend | caseworker | auditor | admin |
|-----------------|----------|------------|---------|-------|
| IIN             | masked   | full       | full    | full  |
| phone           | masked   | full       | masked  | full  |
| bank account    | masked   | last 4     | full    | full  |

- frontend: a citizen-facing app draws cards and graphs; it follows relatives by opaque id
  and never needs the identifiers themselves.
- caseworker: calls people and fixes the worklist (no phone, a bad account); an account is
  checked with the citizen by its last digits.
- auditor: checks who was paid what, to which account, by re-running saved queries; has no
  reason to call anyone.
- admin: runs the system (ingest, sweeps) and reads the access log.

Masking happens where a value leaves the API, whatever the query asked.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from strawberry.permission import BasePermission, StrawberryGraphQLError
from strawberry.types import Info

from familycard.api.errors import FORBIDDEN, UNAUTHENTICATED
from familycard.api.types import Role
from familycard.schema import values
from familycard.settings import ROLES

FULL, LAST4, MASKED = "full", "last4", "masked"
SEES: dict[str, dict[Role, str]] = {
    "iin": {"frontend": MASKED, "caseworker": FULL, "auditor": FULL, "admin": FULL},
    "phone": {"frontend": MASKED, "caseworker": FULL, "auditor": MASKED, "admin": FULL},
    "bank_account": {"frontend": MASKED, "caseworker": LAST4, "auditor": FULL, "admin": FULL},
}


#: The stored properties that hold each field of SEES, on every label (an offer and a message
#: keep the phone they went to; a payment the account it went to).
PROPERTIES: dict[str, tuple[str, ...]] = {
    "iin": ("iin", "subject", "from_iin", "to_iin"),
    "phone": ("phone",),
    "bank_account": ("bank_account",),
}


_EXAMPLE = {("iin", MASKED): "`********0012`", ("phone", MASKED): "`+7 701 *** ** 67`",
            ("bank_account", MASKED): "`KZ••`", ("bank_account", LAST4): "the last 4 (`••••••••••••••••1234`)"}


def shown_to(what: str) -> str:
    """How each role sees a field of SEES, for the schema's descriptions (from the table, so
    the two cannot disagree): "Full for caseworker, admin; masked for frontend (`…`), …"."""
    by_how: dict[str, list[str]] = {}
    for role, how in SEES[what].items():
        by_how.setdefault(how, []).append(role)
    parts = [f"in full to {', '.join(by_how[FULL])}"] if FULL in by_how else []
    parts += [f"only {_EXAMPLE[what, how]} to {', '.join(roles)}" if how == LAST4 else
              f"masked to {', '.join(roles)} ({_EXAMPLE[what, how]})"
              for how, roles in by_how.items() if how != FULL]
    return "Shown " + "; ".join(parts) + "."


def hidden_properties(role: Role) -> frozenset[str]:
    """The properties a saved query run by ``role`` may not read at all: those of every field
    the role does not see in full (an auditor: phones). Masking a result by value cannot
    hold against ``'tel:' + p.phone``; see graph/visibility.py."""
    return frozenset(name for what, how in SEES.items() if how[role] != FULL for name in PROPERTIES[what])


def mask_iin(iin: str | None, role: Role) -> str | None:
    if iin is None or SEES["iin"][role] == FULL:
        return iin
    return "********" + iin[-4:]


def naming_for(role: Role) -> Callable[[Mapping[str, Any]], str] | None:
    """How explanation texts name people for a role (``graph.rules.explain.Naming``): by IIN for the
    roles that see IINs (None: the texts' own way), else by name and the masked IIN, as a
    Citizen shows them to that role. Built from the person's values, never by editing a text."""
    if SEES["iin"][role] == FULL:
        return None

    def name(person: Mapping[str, Any]) -> str:
        masked = mask_iin(person["iin"], role)
        full = " ".join(x for x in (person.get("given_name"), person.get("surname")) if x)
        return f"{full} ({masked})" if full else masked
    return name


def mask_phone_for(phone: str | None, role: Role) -> str | None:
    if phone is None or SEES["phone"][role] == FULL:
        return phone
    return values.mask_phone(phone)


def mask_account(account: str | None, role: Role) -> str | None:
    if account is None:
        return None
    how = SEES["bank_account"][role]
    if how == FULL:
        return account
    return values.mask_account(account, "last4" if how == LAST4 else "country")


# Saved queries return whatever their Cypher returns: values that look like an IIN, a Kazakh
# phone or a Kazakh IBAN are masked for roles that do not see them (a 12-digit BIN is masked
# with the IINs: over-masking is the safe side).
_IIN = re.compile(r"\d{12}")
_PHONE = re.compile(r"\+7\d{10}")
_IBAN = re.compile(r"KZ\d{2}[0-9A-Z]{16}")


def mask_value(v: Any, role: Role) -> Any:
    if isinstance(v, str):
        if _IIN.fullmatch(v):
            return mask_iin(v, role)
        if _PHONE.fullmatch(v):
            return mask_phone_for(v, role)
        if _IBAN.fullmatch(v):
            return mask_account(v, role)
        return v
    if isinstance(v, list):
        return [mask_value(x, role) for x in v]
    if isinstance(v, dict):
        return {k: mask_value(x, role) for k, x in v.items()}
    return v


# A task's detail is the flow's text: it may quote an IIN (the right goes to someone else), a
# phone, or the account the registry holds (quoted, valid IBAN or not).
_ACCOUNT_QUOTED = re.compile(r"(bank account ')([^']*)(')")
_IIN_IN_TEXT = re.compile(r"(?<!\d)\d{12}(?!\d)")
_PHONE_IN_TEXT = re.compile(r"\+7\d{10}(?!\d)")
_IBAN_IN_TEXT = re.compile(r"\bKZ\d{2}[0-9A-Z]{16}\b")


def mask_text(text: str | None, role: Role) -> str | None:
    """A free text of the flow's with the IINs, phones and accounts in it masked for ``role``."""
    if text is None:
        return None
    text = _ACCOUNT_QUOTED.sub(lambda m: m[1] + (mask_account(m[2], role) or "") + m[3], text)
    text = _IBAN_IN_TEXT.sub(lambda m: mask_account(m[0], role) or "", text)
    text = _PHONE_IN_TEXT.sub(lambda m: mask_phone_for(m[0], role) or "", text)
    return _IIN_IN_TEXT.sub(lambda m: mask_iin(m[0], role) or "", text)


# --- permissions on fields ------------------------------------------------------------------

class _Allow(BasePermission):
    roles: tuple[Role, ...] = ()

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        # Raised here rather than said through `message` and `error_extensions`: strawberry
        # keeps one instance a field, so what one request set there was told to the next
        # (a signed-in role refused after an anonymous caller heard "UNAUTHENTICATED").
        principal = info.context.principal
        if principal is None:
            raise StrawberryGraphQLError("sign in: this needs a bearer token", extensions={"code": UNAUTHENTICATED})
        if principal.role not in self.roles:
            raise StrawberryGraphQLError(f"role '{principal.role}' may not do this (needs: {', '.join(self.roles)})",
                                         extensions={"code": FORBIDDEN})
        return True


def allow(*roles: Role) -> type[BasePermission]:
    """A permission class for a field that only these roles may use."""
    return type(f"Allow_{'_'.join(roles)}", (_Allow,), {"roles": roles})


SIGNED_IN = allow(*ROLES)
STAFF = allow("caseworker", "auditor", "admin")
CASEWORK = allow("caseworker", "admin")
AUDIT = allow("auditor", "admin")
ADMIN = allow("admin")
