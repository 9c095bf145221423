"""Rules as data: one folder per benefit or notification, loaded and run here.

    rules/<code>/rule.yaml      titles (kk/ru/en), legal basis, parameters, date bounds, amount
                                formula, SMS texts, conditions (for explanations), boundaries
    rules/<code>/rule.cypher    who is entitled on $as_of (portable Cypher, both engines)
    rules/<code>/explain.cypher the same rule for one person, $iin, every condition as a column
    rules/<code>/cases.yaml     small families as feed records with the expected entitlements
    rules/parameters.yaml       dated parameters shared by several rules (MCI, PM, MW, ...)

Adding a benefit is adding a folder. The engine knows no benefit: it resolves the parameters
and date bounds for the day, runs the Cypher, applies the rule's ``when`` and ``amount``
expressions in decimal arithmetic and rounds half up to whole tenge.
"""
from familycard.graph.rules.folders import load_rule, load_rules, shared_parameters
from familycard.graph.rules.rule import (
    KINDS,
    LANGS,
    PERIODICITIES,
    RULES_DIR,
    Condition,
    Entitlement,
    ParameterUse,
    Rule,
    RuleError,
    describe_value,
    right_key,
)
from familycard.graph.rules.run import SCOPE_PARAM, run_rule, scope_label, scoped, used_params

__all__ = [
    "KINDS", "LANGS", "PERIODICITIES", "RULES_DIR", "SCOPE_PARAM",
    "Condition", "Entitlement", "ParameterUse", "Rule", "RuleError",
    "describe_value", "load_rule", "load_rules", "right_key", "run_rule", "scope_label", "scoped",
    "shared_parameters", "used_params",
]
