"""What a GraphQL document must pass before it runs, per operation (schema extensions, not
middleware): its tokens, its size and cost with fragments expanded (``sizing``), validation,
one operation and variables that fit (``operations``); and unexpected errors masked.
"""
from familycard.api.limits.extensions import INLINE_FIELDS, extensions
from familycard.api.limits.operations import no_operation, request_errors
from familycard.api.limits.sizing import Limits, Size, Sizer, TooLarge

__all__ = [
    "INLINE_FIELDS",
    "Limits",
    "Size",
    "Sizer",
    "TooLarge",
    "extensions",
    "no_operation",
    "request_errors",
]
