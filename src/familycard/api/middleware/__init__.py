"""What stands between the caller and the GraphQL view, one concern a middleware, outermost first:

1. ``BodyLimitMiddleware``: a body past ``FAMILYCARD_MAX_BODY_BYTES`` is refused (413), by its
   declared length at once, else as it arrives;
2. ``BearerAuthMiddleware``: the bearer token is read into ``scope["state"]["principal"]``; a
   token that is sent but not good is refused (401, ``WWW-Authenticate``);
3. ``ConcurrencyLimitMiddleware``: at most ``FAMILYCARD_MAX_IN_FLIGHT`` run; the next wait
   ``FAMILYCARD_QUEUE_WAIT_S`` for a turn, then are told to come back (503, ``Retry-After``);
4. ``TimeoutMiddleware``: a request past ``FAMILYCARD_REQUEST_TIMEOUT_S`` is answered 504.

The limits of a GraphQL document (tokens, depth, aliases, fields, cost) are not here: they
are schema extensions, checked per operation (``familycard.api.limits``).
"""
from familycard.api.middleware.bearer_auth import BearerAuthMiddleware
from familycard.api.middleware.body_limit import BodyLimitMiddleware
from familycard.api.middleware.concurrency import ConcurrencyLimitMiddleware
from familycard.api.middleware.timeout import TimeoutMiddleware

__all__ = [
    "BearerAuthMiddleware",
    "BodyLimitMiddleware",
    "ConcurrencyLimitMiddleware",
    "TimeoutMiddleware",
]
