"""The query languages of Search v1: simple terms, and the advanced ``field:value`` syntax.

Advanced grammar: ``expr := and ("OR" and)*``, ``and := unary (["AND"] unary)*``,
``unary := ["NOT"] atom``, ``atom := "(" expr ")" | [field ":"] [op] value``, with
``value`` a bare word (``*`` wildcards allowed) or a ``"quoted phrase"`` and ``op`` one of
``> >= < <=`` for numbers and dates. Anything else is a ``QuerySyntaxError``.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

Content = dict[str, Any]
Predicate = Callable[[Content], float]
_TOKEN = re.compile(r'\s*(\(|\)|"(?:[^"\\]|\\.)*"|[^\s()"]+)')
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


class QuerySyntaxError(ValueError):
    """A malformed advanced query (the service answers 400)."""


def words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def _values(content: Content, field: str | None) -> list[Any]:
    if field is None:
        return [v for v in content.values() if v is not None]
    value: Any = content
    for part in field.split("."):
        if not isinstance(value, dict) or part not in value:
            return []
        value = value[part]
    return value if isinstance(value, list) else [value]


def match_value(value: Any, wanted: str) -> bool:
    """Whether one stored value matches a query word or phrase (case-insensitive)."""
    if isinstance(value, bool):
        return str(value).lower() == wanted.lower()
    if isinstance(value, int | float):
        try:
            return float(wanted) == float(value)
        except ValueError:
            return False
    text = str(value).lower()
    needle = wanted.lower()
    if "*" in needle or "?" in needle:
        return fnmatch.fnmatchcase(text, needle) or any(
            fnmatch.fnmatchcase(w, needle) for w in words(text)
        )
    if not _WORD.fullmatch(needle):
        return needle in text
    return needle == text or needle in words(text)


def _compare(value: Any, op: str, wanted: str) -> bool:
    """``value op wanted``, as numbers when both are numbers, else as text."""
    try:
        left, right = float(value), float(wanted)
    except (TypeError, ValueError):
        return _holds(str(value), op, wanted)
    return _holds(left, op, right)


_Ordered = TypeVar("_Ordered", float, str)


def _holds(left: _Ordered, op: str, right: _Ordered) -> bool:
    return {">": left > right, ">=": left >= right, "<": left < right, "<=": left <= right}[op]


def term_predicate(field: str | None, op: str | None, wanted: str) -> Predicate:
    def predicate(content: Content) -> float:
        values = _values(content, field)
        if op:
            return 1.0 if any(_compare(v, op, wanted) for v in values) else 0.0
        if wanted == "*":
            return 1.0 if values else 0.0
        return 1.0 if any(match_value(v, wanted) for v in values) else 0.0

    return predicate


def simple_query(q: str) -> Predicate:
    """Every term must match somewhere in the content; ``*`` alone matches everything."""
    terms = [t.strip('"') for t in q.split()] if q.strip() else ["*"]
    predicates = [term_predicate(None, None, t) for t in terms if t]

    def predicate(content: Content) -> float:
        scores = [p(content) for p in predicates]
        return sum(scores) if all(scores) else 0.0

    return predicate


@dataclass
class _Parser:
    tokens: list[str]
    pos: int = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise QuerySyntaxError("the query ends too early")
        self.pos += 1
        return token

    def expr(self) -> Predicate:
        parts = [self.conjunction()]
        while self.peek() == "OR":
            self.take()
            parts.append(self.conjunction())
        if len(parts) == 1:
            return parts[0]
        return lambda c: max(p(c) for p in parts)

    def conjunction(self) -> Predicate:
        parts = [self.unary()]
        while self.peek() not in (None, ")", "OR"):
            if self.peek() == "AND":
                self.take()
            parts.append(self.unary())
        if len(parts) == 1:
            return parts[0]

        def both(content: Content) -> float:
            scores = [p(content) for p in parts]
            return sum(scores) if all(scores) else 0.0

        return both

    def unary(self) -> Predicate:
        if self.peek() == "NOT":
            self.take()
            inner = self.atom()
            return lambda c: 0.0 if inner(c) else 1.0
        return self.atom()

    def atom(self) -> Predicate:
        token = self.take()
        if token == "(":
            inner = self.expr()
            if self.take() != ")":
                raise QuerySyntaxError("unbalanced parenthesis")
            return inner
        if token in (")", "AND", "OR"):
            raise QuerySyntaxError(f"unexpected {token!r}")
        if token.startswith('"'):
            return term_predicate(None, None, _unquote(token))
        field, sep, rest = token.partition(":")
        if not sep:
            return term_predicate(None, None, token)
        if not field or not re.fullmatch(r"[\w.@-]+", field):
            raise QuerySyntaxError(f"bad field name in {token!r}")
        if not rest:
            nxt = self.take()
            if not nxt.startswith('"'):
                raise QuerySyntaxError(f"missing value for field {field!r}")
            return term_predicate(field, None, _unquote(nxt))
        op = next((o for o in (">=", "<=", ">", "<") if rest.startswith(o)), None)
        value = rest[len(op) :] if op else rest
        if not value:
            raise QuerySyntaxError(f"missing value for field {field!r}")
        return term_predicate(field, op, _unquote(value) if value.startswith('"') else value)


def _unquote(token: str) -> str:
    if len(token) < 2 or not token.endswith('"'):
        raise QuerySyntaxError("unterminated quoted phrase")
    return token[1:-1].replace('\\"', '"')


def advanced_query(q: str) -> Predicate:
    """Parse an advanced query; raise QuerySyntaxError when it is malformed."""
    text = q.strip()
    if text.count('"') % 2:
        raise QuerySyntaxError("unterminated quoted phrase")
    tokens: list[str] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise QuerySyntaxError(f"cannot read the query at position {pos}")
        tokens.append(match.group(1))
        pos = match.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    if not tokens:
        return simple_query("*")
    parser = _Parser(tokens)
    predicate = parser.expr()
    if parser.peek() is not None:
        raise QuerySyntaxError(f"unexpected {parser.peek()!r}")
    return predicate
