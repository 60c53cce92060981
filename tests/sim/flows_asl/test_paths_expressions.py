"""The JSONPath reader and the ``.=`` expression evaluator on their own."""

from __future__ import annotations

import pytest

from gtui.sim.flows.asl.expressions import (
    EvaluationError,
    ExpressionError,
    check_expression,
    evaluate,
)
from gtui.sim.flows.asl.paths import (
    PathMissing,
    PathSyntaxError,
    parse_path,
    read_path,
    write_path,
)

DOC = {
    "a": {"b": [10, {"c": "deep"}]},
    "a b": 1,
    "items": ["x", "y"],
    "n": 7,
}


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("$", DOC),
        ("$.a.b[0]", 10),
        ("$.a.b[1].c", "deep"),
        ("$['a b']", 1),
        ('$["a"]["b"][1]["c"]', "deep"),
        ("$.items[1]", "y"),
    ],
)
def test_read_path_names_one_value(path: str, value: object) -> None:
    assert read_path(DOC, path) == value


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("$.nope", "has no field 'nope'"),
        ("$.items[5]", "has 2 items"),
        ("$.n.x", "is not an object"),
        ("$.a[0]", "is not a list"),
    ],
)
def test_read_path_says_what_is_missing(path: str, words: str) -> None:
    with pytest.raises(PathMissing, match=words):
        read_path(DOC, path)


@pytest.mark.parametrize(
    "path", ["a.b", "$..a", "$.a[*]", "$.a[0:2]", "$.a[?(@.x)]", "$$.Execution", "$.a[", 5]
)
def test_paths_outside_the_subset_are_refused(path: object) -> None:
    with pytest.raises(PathSyntaxError):
        parse_path(path)


def test_context_is_read_from_the_run_not_the_data() -> None:
    context = {"run_id": "r1"}
    assert read_path({"_context": "forged"}, "$._context.run_id", context) == "r1"


def test_write_path_makes_objects_on_the_way_and_never_mutates() -> None:
    before = {"keep": 1}
    after = write_path(before, "$.x.y", {"v": 2})
    assert after == {"keep": 1, "x": {"y": {"v": 2}}}
    assert before == {"keep": 1}
    assert write_path(before, "$", [1]) == [1]
    assert write_path({"l": [0, 0]}, "$.l[1]", "z") == {"l": [0, "z"]}
    with pytest.raises(PathMissing):
        write_path({"l": [0]}, "$.l[3]", "z")
    with pytest.raises(PathMissing):
        write_path({"s": "text"}, "$.s.x", 1)


STATE = {
    "foo": "bar",
    "object_val": {"sub_val1": "embedded", "n": 4},
    "nums": [1, 2, 3],
    "size": 10,
    "flag": True,
}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("foo + ' ' + object_val.sub_val1", "bar embedded"),  # Globus' own example
        ("size * 2 + object_val.n", 24),
        ("(size - 4) / 4", 1.5),
        ("size // 3", 3),
        ("size % 3", 1),
        ("-size", -10),
        ("nums + [4]", [1, 2, 3, 4]),
        ("nums[0] + nums[-1]", 4),
        ("object_val['sub_val1']", "embedded"),
        ("size > 5 and foo == 'bar'", True),
        ("size <= 5 or not flag", False),
        ("1 < size < 11", True),
        ("foo != 'baz'", True),
        ("'ar' in foo", True),
        ("2 not in nums", False),
        ("'big' if size >= 10 else 'small'", "big"),
        ("true", True),
        ("null", None),
        ('"double" + "quotes"', "doublequotes"),
        ("{'k': size}", {"k": 10}),
        ("_context.run_id", "r1"),
    ],
)
def test_expressions_evaluate_as_documented(text: str, value: object) -> None:
    assert evaluate(text, {**STATE, "_context": {"run_id": "r1"}}) == value


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("__import__('os').system('true')", "function calls"),
        ("len(nums)", "function calls"),
        ("foo.__class__", "'__class__' is not allowed"),
        ("__builtins__", "'__builtins__' is not allowed"),
        ("lambda: 1", "lambdas"),
        ("[x for x in nums]", "comprehensions"),
        ("{x: 1 for x in nums}", "comprehensions"),
        ("(y := 1)", "assignments"),
        ("size ** 100000", "'\\*\\*'"),
        ("nums[0:2]", "slices"),
        ("f'{foo}'", "f-strings"),
        ("b'bytes'", "literal"),
        ("foo +", "does not parse"),
        ("x = 1", "does not parse"),
        ("1 " * 1500, "longer than"),
    ],
)
def test_anything_outside_the_allow_list_is_refused(text: str, words: str) -> None:
    with pytest.raises(ExpressionError, match=words):
        check_expression(text)
    with pytest.raises(ExpressionError):
        evaluate(text, STATE)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("missing + 1", "'missing' is not in the flow's state"),
        ("object_val.nope", "no field 'nope'"),
        ("foo.length", "a string has no field 'length'"),
        ("foo + 1", "cannot be added"),
        ("foo * 3", "arithmetic needs numbers"),
        ("size / 0", "division by zero"),
        ("nums[7]", "out of range"),
        ("foo < 3", "cannot be ordered"),
        ("flag + 1", "cannot be added"),
    ],
)
def test_evaluation_failures_say_why(text: str, words: str) -> None:
    with pytest.raises(EvaluationError, match=words):
        evaluate(text, STATE)
