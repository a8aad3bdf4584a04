"""Hypothesis strategies for the JSON Schema subset FastAPI writes into /openapi.json: `$ref`
to `#/components/schemas/…`, `anyOf`, `enum` / `const`, `type` object (`properties`,
`required`, `additionalProperties`), array (`items`, `minItems`, `maxItems`), string
(`pattern`, `minLength`, `maxLength`), integer / number (`minimum`, `maximum`), boolean, null.

The values match the schema; the fuzz run (test_api_fuzz.py) adds the ones that do not.
(hypothesis-jsonschema 0.23 would do this, but it reaches into hypothesis internals that
hypothesis 6.1xx removed: `AttributeError: 'many' object has no attribute 'more'`.)
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

__all__ = ["from_schema"]

_ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=3),
    max_leaves=8,
)  # fmt: skip


def from_schema(schema: dict[str, Any], components: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values valid under `schema`, resolving `$ref` in `components` (the document's
    `components.schemas`)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return st.deferred(lambda: from_schema(components[name], components))
    if "anyOf" in schema:
        return st.one_of([from_schema(s, components) for s in schema["anyOf"]])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    if "const" in schema:
        return st.just(schema["const"])
    kind = schema.get("type")
    if kind == "object":
        return _object(schema, components)
    if kind == "array":
        items = from_schema(schema.get("items", {}), components)
        return st.lists(items, min_size=schema.get("minItems", 0),
                        max_size=min(schema.get("maxItems", 5), 5))  # fmt: skip
    if kind == "string":
        if "pattern" in schema:
            return st.from_regex(schema["pattern"], fullmatch=True).filter(
                lambda s: schema.get("minLength", 0) <= len(s) <= schema.get("maxLength", 10**6)
            )
        return st.text(min_size=schema.get("minLength", 0),
                       max_size=min(schema.get("maxLength", 80), 80))  # fmt: skip
    if kind == "integer":
        low, high = schema.get("minimum"), schema.get("maximum")
        return st.integers(None if low is None else int(low), None if high is None else int(high))
    if kind == "number":
        return st.floats(schema.get("minimum"), schema.get("maximum"), allow_nan=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    return _ANY_JSON


def _object(schema: dict[str, Any], components: dict[str, Any]) -> st.SearchStrategy[Any]:
    properties = schema.get("properties", {})
    required = set(schema.get("required", []))
    fixed = {k: from_schema(v, components) for k, v in properties.items() if k in required}
    optional = {k: from_schema(v, components) for k, v in properties.items() if k not in required}
    extra = schema.get("additionalProperties")
    strategy = st.fixed_dictionaries(fixed, optional=optional)
    if isinstance(extra, dict) and extra or extra is True:
        values = from_schema(extra, components) if isinstance(extra, dict) else _ANY_JSON
        more = st.dictionaries(st.text(max_size=12), values, max_size=4)
        return st.builds(lambda a, b: {**b, **a}, strategy, more)
    return strategy
