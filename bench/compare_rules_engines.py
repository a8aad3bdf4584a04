"""Throwaway comparison for docs/rules-engine.md: the credit policy's decision tables evaluated by
GoRules zen-engine (JDM, Rust core) and by the plain-Python tables (`decisioning.rules`).

Not a project dependency: `pip install zen-engine` into the venv first. The script converts
`DEFAULT_POLICY`'s knock-out and referral tables to one JDM `collect` decision table,
checks that both engines fire the same rule ids on 20,000 random fact sets, and times one
evaluation of both tables per application (p50 / p99, µs) in each engine, plus zen's batch API.

    .venv/bin/python -m bench.compare_rules_engines
"""

from __future__ import annotations

import json
import random
import statistics
import time
from typing import Any

import zen  # type: ignore[import-not-found]

from creditfactory.decisioning import DEFAULT_POLICY, Rule, evaluate_table

FACTS = ("tax_grade", "dishonest_debtor", "business_age_months", "invoice_months",
         "registry_status", "bureau_max_dpd", "pd_12m", "price_refused", "limit_below_minimum",
         "data_gaps", "identity_flagged", "enforcement_cases", "raroc_below_hurdle")  # fmt: skip


def _cell(rule: Rule) -> str:
    v = rule.value
    return {
        "eq": lambda: json.dumps(v),
        "ne": lambda: f"!= {json.dumps(v)}",
        "lt": lambda: f"< {v}",
        "le": lambda: f"<= {v}",
        "gt": lambda: f"> {v}",
        "ge": lambda: f">= {v}",
        "in": lambda: ", ".join(json.dumps(x) for x in v),
        "is_true": lambda: "true",
        "is_false": lambda: "false",
        "missing": lambda: "$ == null",
        "nonempty": lambda: "len($) > 0",
    }[rule.op]()


def _table(node_id: str, rules: tuple[Rule, ...]) -> dict[str, Any]:
    facts = sorted({r.fact for r in rules})
    inputs = [{"id": f"in_{f}", "name": f, "field": f} for f in facts]
    rows = [
        {"_id": r.rule_id, f"in_{r.fact}": _cell(r), "out": json.dumps(r.rule_id)} for r in rules
    ]
    return {
        "id": node_id, "type": "decisionTableNode", "name": node_id, "position": {"x": 300, "y": 0},
        "content": {"hitPolicy": "collect", "inputs": inputs, "rules": rows,
                    "outputs": [{"id": "out", "name": "rule", "field": "rule_id"}]},
    }  # fmt: skip


def jdm() -> dict[str, Any]:
    """The policy as a JDM graph: input → one collect table (knock-outs then referrals) → output."""
    nodes = [
        {"id": "in", "type": "inputNode", "name": "facts", "position": {"x": 0, "y": 0}},
        _table("policy", DEFAULT_POLICY.knockouts + DEFAULT_POLICY.referrals),
        {"id": "out", "type": "outputNode", "name": "hits", "position": {"x": 600, "y": 0}},
    ]
    edges = [{"id": f"e{i}", "type": "edge", "sourceId": s, "targetId": t}
             for i, (s, t) in enumerate([("in", "policy"), ("policy", "out")])]  # fmt: skip
    return {"contentType": "application/vnd.gorules.decision", "nodes": nodes, "edges": edges}


def _random_facts(rng: random.Random) -> dict[str, Any]:
    def maybe(value: Any) -> Any:
        return None if rng.random() < 0.15 else value

    return {
        "tax_grade": maybe(rng.choice("ABMCD")),
        "dishonest_debtor": maybe(rng.random() < 0.05),
        "business_age_months": maybe(rng.randint(0, 120)),
        "invoice_months": maybe(rng.randint(0, 12)),
        "registry_status": maybe(rng.choice(["active", "abnormal", "revoked", "deregistered"])),
        "bureau_max_dpd": maybe(rng.choice([0, 0, 0, 15, 45, 95])),
        "pd_12m": round(rng.random() * 0.6, 4),
        "price_refused": maybe(rng.random() < 0.05),
        "limit_below_minimum": rng.random() < 0.1,
        "data_gaps": ["tax_grade: unavailable: timeout"] if rng.random() < 0.1 else [],
        "identity_flagged": rng.random() < 0.02,
        "enforcement_cases": maybe(rng.choice([0, 0, 0, 1, 3])),
        "raroc_below_hurdle": maybe(rng.random() < 0.2),
    }


def _python(facts: dict[str, Any]) -> set[str]:
    hits = evaluate_table(DEFAULT_POLICY.knockouts, facts) + evaluate_table(
        DEFAULT_POLICY.referrals, facts
    )
    return {h.rule.rule_id for h in hits}


def _zen(decision: Any, facts: dict[str, Any]) -> set[str]:
    result = decision.evaluate(facts)["result"]
    return {row["rule_id"] for row in (result if isinstance(result, list) else [result]) if row}


def _time(fn: Any, samples: list[dict[str, Any]]) -> dict[str, float]:
    us = []
    for facts in samples:
        started = time.perf_counter_ns()
        fn(facts)
        us.append((time.perf_counter_ns() - started) / 1000)
    us.sort()
    return {"p50_us": round(statistics.median(us), 1), "p99_us": round(us[int(0.99 * len(us))], 1)}


def main() -> None:
    """Print agreement and latency figures."""
    rng = random.Random(6)
    samples = [_random_facts(rng) for _ in range(20_000)]
    engine = zen.ZenEngine()
    decision = engine.create_decision(json.dumps(jdm()))
    disagree = [s for s in samples if _python(s) != _zen(decision, s)]
    print(f"samples {len(samples)}; disagreements {len(disagree)}")
    for s in disagree[:3]:
        print("  example:", s, _python(s), _zen(decision, s))
    print("python tables", _time(_python, samples))
    print("zen-engine   ", _time(decision.evaluate, samples))
    started = time.perf_counter()
    engine_batch = zen.ZenEngine({"loader": lambda _key: json.dumps(jdm())})
    engine_batch.evaluate_batch([{"key": "policy", "context": s} for s in samples[:5000]])
    print(f"zen batch of 5000: {(time.perf_counter() - started) / 5000 * 1e6:.1f} µs each")


if __name__ == "__main__":
    main()
