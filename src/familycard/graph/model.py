"""The graph model: every label, relationship type and property, in one place.

Rule authors read this (and the README's table); the dialect layer turns it into LadybugDB
DDL or Neo4j constraints and indexes. Every stored value keeps ``source`` (the registry) and
``recorded_at`` (when the registry recorded it, UTC); ``digest`` fingerprints the record that
wrote it, so re-ingesting the same record is recognised as "unchanged".

    (:Person)-[:PARENT_OF]->(:Person)      parent to child
    (:Person)-[:SPOUSE_OF]->(:Person)      stored once, from the lower IIN to the higher
    (:Person)-[:GUARDIAN_OF]->(:Person)    guardian to ward
    (:Person)-[:LIVES_AT]->(:Address)      the registered address (household = same address)
    (:Person)-[:HAS_FACT]->(:Fact)         dated facts from the registries
    (:Pending)                             links and facts waiting for their persons
    (:Change)                              who an ingest touched, and when (incremental sweep)

After the sweep (benefits.md, "The flow after an entitlement is found"), keyed from the right
(code, recipient, subject, event) so that reruns and crashes cannot make a second one:

    (:Offer)        one per right: its status, attempt (1, or 2 after a lapse) and short number
    (:Message)      the SMS outbox and inbox
    (:Assignment)   a consented right, dated
    (:Payment)      one payment order per right and month ("once" for one-off benefits)
    (:Task)         the caseworker worklist: no phone, no valid bank account
    (:Event)        the audit trail: every state change with its time and cause
    (:SweepRun)     each sweep: its day, when it ran, what it found
    (:Lease)        a run's hold on its job (a day's sweep, a month's payments, the SMS send)
                    or on an SMS it is handing to the gateway; deleted when done

    (:Person)-[:HAS_OFFER|HAS_ASSIGNMENT|HAS_PAYMENT|HAS_EVENT]->(…)   the person a flow node is about
    (:Person)-[:WAS_READ]->(:Access)                                  the access log of their card
"""
from __future__ import annotations

from dataclasses import dataclass

from familycard.schema.vocabulary import LINK_TYPES

STRING, DATE, TIMESTAMP, INT64 = "STRING", "DATE", "TIMESTAMP", "INT64"


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[tuple[str, str], ...]  # (property, type); for nodes the first is the key
    from_label: str | None = None  # set for relationship tables
    to_label: str | None = None

    @property
    def is_rel(self) -> bool:
        return self.from_label is not None

    @property
    def key(self) -> str:
        return self.columns[0][0]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(n for n, _ in self.columns)


_PROVENANCE = (("source", STRING), ("recorded_at", TIMESTAMP), ("extra", STRING), ("digest", STRING))

PERSON = Table("Person", (
    ("iin", STRING), ("surname", STRING), ("given_name", STRING), ("patronymic", STRING),
    ("birth_date", DATE), ("sex", STRING), ("death_date", DATE), ("address_id", STRING),
    ("phone", STRING), ("bank_account", STRING), ("citizenship", STRING),
) + _PROVENANCE)

ADDRESS = Table("Address", (("id", STRING),))

# One table for every fact type: a new fact type in the feed needs no new table.
# `disability_group` holds the feed's `group` (a word several Cypher dialects reserve).
FACT = Table("Fact", (
    ("key", STRING), ("iin", STRING), ("type", STRING), ("valid_from", DATE), ("valid_to", DATE),
    ("disability_group", STRING), ("work_capacity_loss_percent", INT64), ("employer_bin", STRING),
    ("month", STRING), ("amount_kzt", INT64), ("name", STRING), ("benefit", STRING),
) + _PROVENANCE)

PENDING = Table("Pending", (
    ("key", STRING), ("kind", STRING), ("from_iin", STRING), ("to_iin", STRING),
    ("record", STRING), ("origin", STRING), ("recorded_at", TIMESTAMP), ("digest", STRING),
))

_LINK_COLUMNS = (("since", DATE), ("until", DATE)) + _PROVENANCE
PARENT_OF = Table("PARENT_OF", _LINK_COLUMNS, "Person", "Person")
SPOUSE_OF = Table("SPOUSE_OF", _LINK_COLUMNS, "Person", "Person")
GUARDIAN_OF = Table("GUARDIAN_OF", _LINK_COLUMNS, "Person", "Person")
LIVES_AT = Table("LIVES_AT", (), "Person", "Address")
HAS_FACT = Table("HAS_FACT", (), "Person", "Fact")

# Insert-only: one row per person (or left address) an ingest batch changed.
CHANGE = Table("Change", (("key", STRING), ("at", TIMESTAMP), ("iin", STRING), ("address_id", STRING)))

# status: open (waiting for an answer) | notified (a notice that asks nothing) | consented |
# refused | lapsed (no answer in time; offered once more) | expired (lapsed again: final) |
# withdrawn (the right no longer held when re-checked: `reason` says which conditions failed).
# `round`: 0, then +1 each time a withdrawn right reappears and is offered anew (it keys that
# round's SMS and events apart from the earlier ones).
OFFER = Table("Offer", (
    ("key", STRING), ("code", STRING), ("iin", STRING), ("subject", STRING), ("event", DATE),
    ("amount_kzt", INT64), ("periodicity", STRING), ("inputs", STRING), ("first_as_of", DATE),
    ("as_of", DATE), ("attempt", INT64), ("status", STRING), ("number", INT64), ("phone", STRING),
    ("offered_at", TIMESTAMP), ("sent_at", TIMESTAMP), ("deadline", TIMESTAMP),
    ("answered_at", TIMESTAMP), ("clarified", INT64), ("reason", STRING), ("round", INT64),
))
# direction out: status queued | sent | failed, and the parts the text is billed as (see
# graph/sms/length.py; null on messages queued before it was counted); direction in: status
# received, channel sms (the gateway delivered it) or staff (a citizen's answer given in
# person, typed in by entered_by, why).
MESSAGE = Table("Message", (
    ("key", STRING), ("direction", STRING), ("kind", STRING), ("phone", STRING), ("iin", STRING),
    ("offers", STRING), ("text", STRING), ("status", STRING), ("created_at", TIMESTAMP),
    ("sent_at", TIMESTAMP), ("attempts", INT64), ("error", STRING), ("provider_id", STRING),
    ("outcome", STRING), ("channel", STRING), ("entered_by", STRING), ("reason", STRING),
    ("parts", INT64),
))
# status: active (paid each month, or once) | ended (the right no longer held when re-checked).
ACTIVE, ENDED = "active", "ended"
ASSIGNMENT_STATUSES = (ACTIVE, ENDED)
ASSIGNMENT = Table("Assignment", (
    ("key", STRING), ("code", STRING), ("iin", STRING), ("subject", STRING), ("event", DATE),
    ("periodicity", STRING), ("amount_kzt", INT64), ("assigned_on", DATE), ("assigned_at", TIMESTAMP),
    ("status", STRING), ("ended_on", DATE), ("reason", STRING),
))
# status: ordered (an order in the payment file for the bank; no bank confirms it back yet).
ORDERED = "ordered"
PAYMENT_STATUSES = (ORDERED,)
PAYMENT = Table("Payment", (
    ("key", STRING), ("order_id", STRING), ("assignment", STRING), ("code", STRING), ("iin", STRING),
    ("subject", STRING), ("month", STRING), ("amount_kzt", INT64), ("bank_account", STRING),
    ("name", STRING), ("status", STRING), ("created_at", TIMESTAMP),
))
# status: open | closed (its cause went away, or a caseworker closed it: `closed_by`, `note`).
TASK = Table("Task", (
    ("key", STRING), ("iin", STRING), ("code", STRING), ("ref", STRING), ("reason", STRING),
    ("detail", STRING), ("status", STRING), ("created_at", TIMESTAMP), ("closed_at", TIMESTAMP),
    ("closed_by", STRING), ("note", STRING),
))
# `entered_by`: who typed in the answer that made it, for an answer given in person; null otherwise.
EVENT = Table("Event", (
    ("key", STRING), ("iin", STRING), ("kind", STRING), ("at", TIMESTAMP), ("cause", STRING),
    ("ref", STRING), ("detail", STRING), ("entered_by", STRING),
))
SWEEP_RUN = Table("SweepRun", (
    ("key", STRING), ("as_of", DATE), ("mode", STRING), ("since", TIMESTAMP), ("started_at", TIMESTAMP),
    ("finished_at", TIMESTAMP), ("found", INT64), ("offered", INT64),
))
FLOW_TABLES = (OFFER, MESSAGE, ASSIGNMENT, PAYMENT, TASK, EVENT, SWEEP_RUN)

# The API's own records. A saved query's versions are kept (an auditor reruns the version a
# finding cites); status: current | superseded | deleted. Runs and card reads are insert-only.
SAVED_QUERY = Table("SavedQuery", (
    ("key", STRING), ("name", STRING), ("version", INT64), ("cypher", STRING), ("parameters", STRING),
    ("description", STRING), ("author", STRING), ("created_at", TIMESTAMP), ("status", STRING),
))
QUERY_RUN = Table("QueryRun", (
    ("key", STRING), ("name", STRING), ("version", INT64), ("actor", STRING), ("role", STRING),
    ("at", TIMESTAMP), ("parameters", STRING), ("rows", INT64), ("truncated", INT64), ("ms", INT64),
    ("error", STRING),
))
# One row per person whose card (or part of it) a response showed: who, whose, when, which fields.
# `request` is the server's id of the request; `caller_request` the caller's own (X-Request-Id),
# cleaned and bounded.
ACCESS = Table("Access", (
    ("key", STRING), ("at", TIMESTAMP), ("actor", STRING), ("role", STRING), ("iin", STRING),
    ("fields", STRING), ("operation", STRING), ("request", STRING), ("caller_request", STRING),
))
API_TABLES = (SAVED_QUERY, QUERY_RUN, ACCESS)

# A run's claim on a job and its scope ("sweep|2026-11-25", "pay|2026-11", "sms send") or on an
# SMS it is handing to the gateway ("sms|<message key>"): see graph/store/leases.py. Deleted when done.
LEASE = Table("Lease", (
    ("key", STRING), ("job", STRING), ("owner", STRING), ("host", STRING), ("pid", INT64),
    ("command", STRING), ("started_at", TIMESTAMP), ("renewed_at", TIMESTAMP), ("expires_at", TIMESTAMP),
    ("tried_at", TIMESTAMP),
))

# What a family card shows of the flow and who read it hangs from the person it is about (the
# node's `iin`), created with the node in one statement: a card reaches them by key and link.
# Looked up by a property instead, LadybugDB (no secondary indexes) scanned the whole table for
# every card: 13 ms for the 37 k events of a 100 k-people graph, growing with every sweep.
HAS_OFFER = Table("HAS_OFFER", (), "Person", "Offer")
HAS_ASSIGNMENT = Table("HAS_ASSIGNMENT", (), "Person", "Assignment")
HAS_PAYMENT = Table("HAS_PAYMENT", (), "Person", "Payment")
HAS_EVENT = Table("HAS_EVENT", (), "Person", "Event")
WAS_READ = Table("WAS_READ", (), "Person", "Access")
#: node table -> the link to it from the person its `iin` names
OWNER_LINKS = {t.to_label: t for t in (HAS_OFFER, HAS_ASSIGNMENT, HAS_PAYMENT, HAS_EVENT, WAS_READ)}

REGISTRY_TABLES = (PERSON, ADDRESS, FACT, PENDING)  # what the feeds make: the family graph
NODE_TABLES = REGISTRY_TABLES + (CHANGE,) + FLOW_TABLES + API_TABLES + (LEASE,)
REL_TABLES = (PARENT_OF, SPOUSE_OF, GUARDIAN_OF, LIVES_AT, HAS_FACT)  # the family graph's links
OWNER_TABLES = tuple(OWNER_LINKS.values())
LINK_TABLES = {t.name: t for t in (PARENT_OF, SPOUSE_OF, GUARDIAN_OF)}
assert tuple(LINK_TABLES) == LINK_TYPES  # each link type of the feed contract has its table
TABLES = {t.name: t for t in NODE_TABLES + REL_TABLES + OWNER_TABLES}

# The incremental sweep's scope, written into a LadybugDB store for the rules to start from
# (``Store.scoped_rule_form`` "table", ``rules.run.scoped``): one node a scoped key, linked to
# its Person or Address, in named sets (``name``; a row keyed by the set's name alone marks it
# written whole). Not part of the model users see: outside TABLES, NODE_TABLES and REL_TABLES
# (no snapshot, API, load or saved-query schema lists them), and the tables exist only while a
# sweep runs (created by ``Store.scope_set``, dropped by ``Store.clear_scope`` at its start and end).
SCOPE_PERSON_NODE = Table("ScopePerson", (("key", STRING), ("name", STRING)))
SCOPE_PERSON = Table("SCOPE_PERSON", (), "ScopePerson", "Person")
SCOPE_ADDRESS_NODE = Table("ScopeAddress", (("key", STRING), ("name", STRING)))
SCOPE_ADDRESS = Table("SCOPE_ADDRESS", (), "ScopeAddress", "Address")
#: the scoped rule's first label -> (the scope's node table, its link to that label)
SCOPE_TABLES = {"Person": (SCOPE_PERSON_NODE, SCOPE_PERSON), "Address": (SCOPE_ADDRESS_NODE, SCOPE_ADDRESS)}

# Properties the rules look things up by (Neo4j gets an index on each; LadybugDB reaches
# them through the primary key and relationships, it has no secondary indexes).
# No index on Person.birth_date or death_date: Neo4j's planner then started fact-driven rules
# (disability, unemployment) from an age range of persons and expanded all their facts, 10-25x
# slower than from Fact(type); the date-window rules lose little to a label scan.
INDEXES = (
    ("Person", "address_id"),
    ("Fact", "type"), ("Fact", "iin"), ("Fact", "valid_to"),
    # replies arrive by phone; the flow looks offers, messages and events up by these
    ("Person", "phone"), ("Change", "at"),
    ("Person", "surname"),  # staff find people by whole name (searchPeople): a seek, not a scan
    ("Task", "ref"),  # an answer in person closes its offer's tasks
    ("Offer", "iin"), ("Offer", "phone"), ("Offer", "status"),
    ("Message", "status"), ("Message", "phone"), ("Assignment", "iin"), ("Assignment", "status"),
    ("Payment", "month"), ("Payment", "iin"), ("Task", "status"), ("Event", "iin"),
    ("SavedQuery", "name"), ("QueryRun", "name"), ("Access", "iin"), ("Access", "actor"), ("Access", "at"),
    ("Lease", "owner"),  # a heartbeat renews its owner's leases
)
