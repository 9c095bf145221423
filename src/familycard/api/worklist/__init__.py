"""The caseworkers' worklist: their tasks (``worklist``), closing one with a note (``closeTask``)
and an answer a citizen gave in person to one offer (``answerOffer``)."""
from familycard.api.worklist.mutations import Mutation, clean_text
from familycard.api.worklist.queries import Query, TaskFilter
from familycard.api.worklist.types import Task, task

__all__ = [
    "Mutation",
    "Query",
    "Task",
    "TaskFilter",
    "clean_text",
    "task",
]
