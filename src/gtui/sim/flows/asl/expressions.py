"""Globus Flows' ``.=`` expressions, parsed by Python's ``ast`` and evaluated by an allow-list.

An expression reads the state by name (``foo``, ``object_val.sub_val1``, ``items[0]``) and
combines values with ``+ - * / // %``, comparisons, ``and or not``, ``x if c else y`` and
literals (numbers, quoted strings, ``true``/``false``/``null`` as well as Python's spellings).
``+`` also joins strings and lists, as Globus documents. Nothing else parses: no calls, no
lambdas or comprehensions, no dunder names; ``a.b`` is a field of the object ``a``, never a
Python attribute. The text is never handed to ``eval``.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

MAX_LENGTH = 2000
LITERALS: dict[str, Any] = {"true": True, "false": False, "null": None}

_ALLOWED: tuple[type[ast.AST], ...] = (
    ast.Expression,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.BinOp,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.FloorDiv,
    ast.Mod,
    ast.UnaryOp,
    ast.Not,
    ast.USub,
    ast.UAdd,
    ast.Compare,
    ast.Eq,
    ast.NotEq,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
    ast.In,
    ast.NotIn,
    ast.IfExp,
    ast.Constant,
    ast.Name,
    ast.Load,
    ast.Attribute,
    ast.Subscript,
    ast.List,
    ast.Tuple,
    ast.Dict,
)
_WORDS: dict[type[ast.AST], str] = {
    ast.Call: "function calls",
    ast.Lambda: "lambdas",
    ast.ListComp: "comprehensions",
    ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions",
    ast.GeneratorExp: "comprehensions",
    ast.NamedExpr: "assignments",
    ast.Pow: "'**'",
    ast.Slice: "slices",
    ast.Starred: "'*' unpacking",
    ast.JoinedStr: "f-strings",
}


class ExpressionError(ValueError):
    """An expression outside the supported language (a problem with the definition)."""


class EvaluationError(ValueError):
    """An expression that cannot be evaluated against this state (a failure of the run)."""


def check_expression(text: object) -> None:
    """Raises ExpressionError when ``text`` is not an expression the evaluator accepts."""
    if not isinstance(text, str):
        raise ExpressionError(f"an expression must be a string, not {text!r}")
    _compile(text)


@lru_cache(maxsize=1024)
def _compile(text: str) -> ast.Expression:
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"the expression is longer than {MAX_LENGTH} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"{text!r} does not parse: {exc.msg}") from None
    except (ValueError, RecursionError, MemoryError):
        raise ExpressionError(f"{text!r} does not parse") from None
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            what = _WORDS.get(type(node), f"'{type(node).__name__}'")
            raise ExpressionError(f"{text!r}: {what} are not allowed in expressions")
        if isinstance(node, ast.Name) and node.id.startswith("__"):
            raise ExpressionError(f"{text!r}: the name {node.id!r} is not allowed")
        if isinstance(node, ast.Attribute) and node.attr.startswith("__"):
            raise ExpressionError(f"{text!r}: the field {node.attr!r} is not allowed")
        if isinstance(node, ast.Constant) and not isinstance(
            node.value, str | int | float | bool | type(None)
        ):
            raise ExpressionError(f"{text!r}: the literal {node.value!r} is not allowed")
    return tree


def evaluate(text: str, names: Mapping[str, Any]) -> Any:
    """The value of expression ``text`` where bare names are fields of ``names``."""
    tree = _compile(text)
    return _Evaluator(names).visit(tree.body)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _kind(value: Any) -> str:
    return {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "an object",
    }.get(type(value), "null")


class _Evaluator:
    def __init__(self, names: Mapping[str, Any]) -> None:
        self._names = names

    def visit(self, node: ast.AST) -> Any:
        method = getattr(self, "_" + type(node).__name__)
        return method(node)

    def _Constant(self, node: ast.Constant) -> Any:
        return node.value

    def _Name(self, node: ast.Name) -> Any:
        if node.id in LITERALS:
            return LITERALS[node.id]
        if node.id in ("True", "False", "None"):
            return {"True": True, "False": False, "None": None}[node.id]
        if node.id not in self._names:
            raise EvaluationError(f"{node.id!r} is not in the flow's state")
        return self._names[node.id]

    def _Attribute(self, node: ast.Attribute) -> Any:
        base = self.visit(node.value)
        if not isinstance(base, dict):
            raise EvaluationError(f"{_kind(base)} has no field {node.attr!r}")
        if node.attr not in base:
            raise EvaluationError(f"the object has no field {node.attr!r}")
        return base[node.attr]

    def _Subscript(self, node: ast.Subscript) -> Any:
        base = self.visit(node.value)
        key = self.visit(node.slice)
        if isinstance(base, dict) and isinstance(key, str):
            if key not in base:
                raise EvaluationError(f"the object has no field {key!r}")
            return base[key]
        if isinstance(base, list | str) and isinstance(key, int) and not isinstance(key, bool):
            if not -len(base) <= key < len(base):
                raise EvaluationError(f"index {key} is out of range (length {len(base)})")
            return base[key]
        raise EvaluationError(f"{_kind(base)} cannot be indexed by {_kind(key)}")

    def _List(self, node: ast.List) -> Any:
        return [self.visit(item) for item in node.elts]

    def _Tuple(self, node: ast.Tuple) -> Any:
        return [self.visit(item) for item in node.elts]

    def _Dict(self, node: ast.Dict) -> Any:
        out: dict[str, Any] = {}
        for key_node, value_node in zip(node.keys, node.values, strict=True):
            if key_node is None:
                raise EvaluationError("'**' unpacking is not allowed in expressions")
            key = self.visit(key_node)
            if not isinstance(key, str):
                raise EvaluationError("object keys must be strings")
            out[key] = self.visit(value_node)
        return out

    def _IfExp(self, node: ast.IfExp) -> Any:
        return self.visit(node.body) if self.visit(node.test) else self.visit(node.orelse)

    def _BoolOp(self, node: ast.BoolOp) -> Any:
        value: Any = None
        for operand in node.values:
            value = self.visit(operand)
            if isinstance(node.op, ast.And) and not value:
                return value
            if isinstance(node.op, ast.Or) and value:
                return value
        return value

    def _UnaryOp(self, node: ast.UnaryOp) -> Any:
        value = self.visit(node.operand)
        if isinstance(node.op, ast.Not):
            return not value
        if not _is_number(value):
            raise EvaluationError(f"a sign cannot be applied to {_kind(value)}")
        return -value if isinstance(node.op, ast.USub) else value

    def _BinOp(self, node: ast.BinOp) -> Any:
        left, right = self.visit(node.left), self.visit(node.right)
        op = node.op
        if isinstance(op, ast.Add):
            if _is_number(left) and _is_number(right):
                return left + right
            if isinstance(left, str) and isinstance(right, str):
                return left + right
            if isinstance(left, list) and isinstance(right, list):
                return left + right
            raise EvaluationError(f"{_kind(left)} and {_kind(right)} cannot be added")
        if not (_is_number(left) and _is_number(right)):
            raise EvaluationError(f"arithmetic needs numbers, not {_kind(left)} and {_kind(right)}")
        if isinstance(op, ast.Sub):
            return left - right
        if isinstance(op, ast.Mult):
            return left * right
        if right == 0:
            raise EvaluationError("division by zero")
        if isinstance(op, ast.Div):
            return left / right
        if isinstance(op, ast.FloorDiv):
            return left // right
        return left % right

    def _Compare(self, node: ast.Compare) -> Any:
        left = self.visit(node.left)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = self.visit(right_node)
            if not _compare(op, left, right):
                return False
            left = right
        return True


def _compare(op: ast.cmpop, left: Any, right: Any) -> bool:
    if isinstance(op, ast.Eq):
        return bool(left == right)
    if isinstance(op, ast.NotEq):
        return bool(left != right)
    if isinstance(op, ast.In | ast.NotIn):
        if isinstance(right, str) and not isinstance(left, str):
            raise EvaluationError(f"'in' a string needs a string, not {_kind(left)}")
        if not isinstance(right, str | list | dict):
            raise EvaluationError(f"'in' needs a string, list or object, not {_kind(right)}")
        found = left in right
        return found if isinstance(op, ast.In) else not found
    comparable = (_is_number(left) and _is_number(right)) or (
        isinstance(left, str) and isinstance(right, str)
    )
    if not comparable:
        raise EvaluationError(f"{_kind(left)} and {_kind(right)} cannot be ordered")
    if isinstance(op, ast.Lt):
        return bool(left < right)
    if isinstance(op, ast.LtE):
        return bool(left <= right)
    if isinstance(op, ast.Gt):
        return bool(left > right)
    return bool(left >= right)
