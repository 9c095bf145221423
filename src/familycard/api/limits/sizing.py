"""How big and how costly a query is once its fragments are expanded, in one pass.

A fragment may spread another twice, that one the next twice, and so on: 1 KB of query text
can stand for 2^30 fields. Whatever walks the expanded query (a depth or alias limiter, the
checks of a validation rule, the executor) then runs for minutes and holds the event loop.
Here each fragment is sized once (memoised) and a spread adds its fragment's size, so the
whole document is measured in time linear in its text; a query over a limit is refused
before any validation rule sees it.

What is measured, per operation (and per fragment, used or not):

* fields: every field selected, as often as the expanded query selects it;
* aliases: fields given an alias (each makes the executor run a field once more);
* depth: the longest chain of nested selection sets (``{ a { b } }`` is 1 deep); ``__Type.ofType``
  does not count: it unwraps one list or non-null (a chain as long as the type's wrappers, one
  object each: nothing fans out), and the introspection query of every client (GraphiQL's,
  codegen's) nests it 9 deep under a field's type, 14 levels in all: past any useful limit;
* cost: what the query makes the store do: ``COSTS`` names the fields that cost more than a
  lookup (a family card's ``entitlements`` runs every rule's explanation, ~20 store
  queries), each occurrence counted.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
)

# About the store queries a field makes each time it is selected (a field not named here
# costs nothing: it reads what its parent read); a mutation that runs a whole flow (a sweep,
# an ingest) fills most of a request's budget by itself. Measured: 15 aliases of
# `familyCard { entitlements }` took 6.3 s at 100 k people (~0.4 s each), a card ~10 ms.
COSTS: Mapping[str, int] = {
    "FamilyCard.entitlements": 20,    # 14 rules' explain queries, then persons, links, facts
    "Query.familyCard": 1, "Query.citizen": 1, "Query.node": 1, "Query.familyGraph": 3,
    "Query.offers": 2, "Query.accessLog": 2, "Query.queryRuns": 2, "Query.savedQueries": 2,
    "Query.savedQuery": 1,
    # a name search scans a column on LadybugDB (~20 ms at 100 k people, bench/search.py)
    "Query.searchPeople": 2, "Query.worklist": 2,
    "Mutation.runSavedQuery": 10, "Mutation.ingestRecords": 20, "Mutation.runSweep": 50,
    "Mutation.receiveSmsReply": 5, "Mutation.saveQuery": 2, "Mutation.deleteQuery": 2,
    "Mutation.answerOffer": 5, "Mutation.closeTask": 1,  # a consent re-runs its rule, as a reply does
}


class Size:
    """What a selection set (or a whole operation) adds up to; built once, then only read."""
    __slots__ = ("fields", "aliases", "depth", "cost", "costly")

    def __init__(self, fields: int = 0, aliases: int = 0, depth: int = 0, cost: int = 0,
                 costly: dict[str, int] | None = None):
        self.fields, self.aliases, self.depth, self.cost = fields, aliases, depth, cost
        self.costly = costly or {}  # Type.field -> occurrences, of the fields that cost

    def add(self, o: Size) -> None:
        self.fields += o.fields
        self.aliases += o.aliases
        self.depth = max(self.depth, o.depth)
        self.cost += o.cost
        for name, n in o.costly.items():
            self.costly[name] = self.costly.get(name, 0) + n

    def __repr__(self) -> str:
        return (f"Size(fields={self.fields}, aliases={self.aliases}, depth={self.depth}, cost={self.cost}, "
                f"costly={self.costly})")


_NONE = Size()


@dataclass(frozen=True)
class Limits:
    fields: int
    aliases: int
    depth: int
    cost: int


class _Measure:
    def __init__(self, schema: GraphQLSchema, document: DocumentNode):
        self.schema = schema
        self.fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        self.sized: dict[str, Size] = {}
        self.open: set[str] = set()

    def fragment(self, name: str) -> Size:
        if name in self.sized:
            return self.sized[name]
        node = self.fragments.get(name)
        if node is None or name in self.open:  # unknown or a cycle: validation names them
            return _NONE
        self.open.add(name)
        size = self.selections(node.selection_set, self.schema.get_type(node.type_condition.name.value))
        self.open.discard(name)
        self.sized[name] = size
        return size

    def selections(self, selection_set: SelectionSetNode, parent: GraphQLNamedType | None) -> Size:
        total = Size()
        for s in selection_set.selections:
            if isinstance(s, FieldNode):
                self.field(s, parent, total)
            elif isinstance(s, InlineFragmentNode):
                inner = self.schema.get_type(s.type_condition.name.value) if s.type_condition else parent
                total.add(self.selections(s.selection_set, inner))
            elif isinstance(s, FragmentSpreadNode):
                total.add(self.fragment(s.name.value))
        return total

    def field(self, node: FieldNode, parent: GraphQLNamedType | None, total: Size) -> None:
        """Adds the field and what it selects to ``total``."""
        name = node.name.value
        total.fields += 1
        if node.alias is not None:
            total.aliases += 1
        key = f"{getattr(parent, 'name', '?')}.{name}"
        own = COSTS.get(key, 0)
        if own:
            total.cost += own
            total.costly[key] = total.costly.get(key, 0) + 1
        if node.selection_set is None:
            return
        fields = getattr(parent, "fields", None)
        child = get_named_type(fields[name].type) if fields is not None and name in fields else None
        inner = self.selections(node.selection_set, child)
        total.add(inner)
        total.depth = max(total.depth, inner.depth + (0 if key == "__Type.ofType" else 1))


def _root(schema: GraphQLSchema, op: OperationDefinitionNode) -> GraphQLObjectType | None:
    return {OperationType.QUERY: schema.query_type, OperationType.MUTATION: schema.mutation_type,
            OperationType.SUBSCRIPTION: schema.subscription_type}[op.operation]


def measure(schema: GraphQLSchema, document: DocumentNode) -> tuple[Size, Size]:
    """(the operations' sizes added up, the largest of any one fragment)."""
    m = _Measure(schema, document)
    total = Size()
    for d in document.definitions:
        if isinstance(d, OperationDefinitionNode):
            total.add(m.selections(d.selection_set, _root(schema, d)))
    largest = max((m.fragment(name) for name in m.fragments), key=lambda s: s.fields, default=_NONE)
    return total, largest


class TooLarge(Exception):
    """The query is over a limit; the message says which, by how much. ``limit``: which
    (fields, depth, aliases, cost; None when the query could not be measured), ``value``
    the query's and ``most`` the limit's."""

    def __init__(self, message: str, *, limit: str | None = None, value: int | None = None,
                 most: int | None = None):
        super().__init__(message)
        self.limit, self.value, self.most = limit, value, most


def check(schema: GraphQLSchema, document: DocumentNode, limits: Limits) -> Size:
    """The operations' size, or ``TooLarge`` naming the limit it passes."""
    try:
        size, fragment = measure(schema, document)
    except RecursionError:
        raise TooLarge("the query nests its fragments or selections too deep to be read") from None
    fields = max(size.fields, fragment.fields)
    if fields > limits.fields:
        raise TooLarge(f"the query selects {fields} fields once its fragments are expanded; at most "
                       f"{limits.fields} (a fragment spread twice counts twice)", limit="fields", value=fields,
                       most=limits.fields)
    if size.depth > limits.depth:
        raise TooLarge(f"the query nests {size.depth} levels deep; at most {limits.depth}", limit="depth",
                       value=size.depth, most=limits.depth)
    if size.aliases > limits.aliases:
        raise TooLarge(f"the query uses {size.aliases} aliases; at most {limits.aliases}", limit="aliases",
                       value=size.aliases, most=limits.aliases)
    if size.cost > limits.cost:
        parts = ", ".join(f"{name.split('.')[1]} {n} × {COSTS[name]}" for name, n in sorted(size.costly.items()))
        raise TooLarge(f"the query costs {size.cost} ({parts}); at most {limits.cost}", limit="cost",
                       value=size.cost, most=limits.cost)
    return size


class Sizer:
    """``check`` with the verdicts on the last query texts kept (a card's query is sent again
    and again; sizing it takes ~0.1 ms, a lookup nothing). Texts of 16 KB or more are sized
    each time: 512 bodies of 256 KB would hold 128 MB."""

    def __init__(self, limits: Limits, keep: int = 512):
        self.limits, self._keep = limits, keep
        self._known: dict[str, Size | TooLarge] = {}

    def check(self, schema: GraphQLSchema, document: DocumentNode, text: str | None) -> Size:
        if text is not None and len(text) >= 16_384:
            text = None
        verdict = self._known.get(text) if text is not None else None
        if verdict is None:
            try:
                verdict = check(schema, document, self.limits)
            except TooLarge as e:  # kept bare: no traceback, no context holding frames
                verdict = TooLarge(str(e), limit=e.limit, value=e.value, most=e.most)
            if text is not None:
                if len(self._known) >= self._keep:
                    self._known.clear()
                self._known[text] = verdict
        if isinstance(verdict, TooLarge):  # a new one each time: the kept one would gather tracebacks
            raise TooLarge(str(verdict), limit=verdict.limit, value=verdict.value, most=verdict.most)
        return verdict
