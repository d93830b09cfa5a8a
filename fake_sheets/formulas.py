"""A small formula evaluator: enough to give USER_ENTERED formulas a plausible value.

Google computes formulas with the full Sheets engine; the fake approximates. Supported:
numbers, ``"text"``, TRUE/FALSE, ``+ - * / ^ &``, comparisons (``= <> < > <= >=``),
unary minus, a trailing ``%``, references (``A1``, ``B2:C9``, ``'Other tab'!A1``) and the
functions SUM, AVERAGE, MIN, MAX, COUNT, COUNTA, IF, AND, OR, NOT, ROUND, ABS, LEN,
CONCATENATE, UPPER, LOWER. Anything else evaluates to ``#NAME?`` (what Sheets shows for
an unknown function); a syntax error gives ``#ERROR!``; reference cycles give ``#REF!``.
References are not rewritten when rows or columns are inserted or deleted; a reference to a
tab that is deleted becomes ``#REF!`` for good, as in Sheets (see `objects`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .a1 import A1Error, parse_window
from .cells import FormulaError, Scalar, format_scalar, parse_number

Value = Scalar | None
# resolve(sheet name or None for the formula's own sheet, r0, r1, c0, c1) -> rows
Resolver = Callable[[str | None, int, int, int, int], list[list[Value]]]

_TOKEN = re.compile(
    r"""\s*(?:
    (?P<num>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|\.\d+)
  | (?P<str>"(?:[^"]|"")*")
  | (?P<err>\#REF!)
  | (?P<ref>(?:(?:'(?:[^']|'')+'|[A-Za-z_][A-Za-z0-9_]*)!)?
        \$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?)(?!\s*\()
  | (?P<name>[A-Za-z_][A-Za-z0-9_.]*)
  | (?P<op><=|>=|<>|[-+*/^&=<>(),%])
    )""",
    re.VERBOSE,
)


class _Fail(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise _Fail("#ERROR!")
        kind = match.lastgroup or ""
        out.append((kind, match.group(kind)))
        pos = match.end()
    return out


def _number(value: Any) -> float:
    if isinstance(value, list):
        value = value[0][0] if value and value[0] else None
    if isinstance(value, FormulaError):
        raise _Fail(value.code)
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float):
        return value
    parsed = parse_number(str(value).strip())
    if parsed is None:
        raise _Fail("#VALUE!")
    return parsed


def _text(value: Any) -> str:
    if isinstance(value, list):
        value = value[0][0] if value and value[0] else None
    if isinstance(value, FormulaError):
        raise _Fail(value.code)
    return format_scalar(value)


def _flat(args: list[Any]) -> list[Value]:
    out: list[Value] = []
    for arg in args:
        if isinstance(arg, list):
            out.extend(v for row in arg for v in row)
        else:
            out.append(arg)
    return out


def _numbers(args: list[Any]) -> list[float]:
    # Like Sheets: numbers inside ranges count, text and blanks in ranges are skipped.
    out: list[float] = []
    for arg in args:
        if isinstance(arg, list):
            for v in _flat([arg]):
                if isinstance(v, FormulaError):
                    raise _Fail(v.code)
                if isinstance(v, float) and not isinstance(v, bool):
                    out.append(v)
        else:
            out.append(_number(arg))
    return out


def _call(name: str, args: list[Any]) -> Any:
    name = name.upper()
    if name == "SUM":
        return float(sum(_numbers(args)))
    if name == "AVERAGE":
        nums = _numbers(args)
        if not nums:
            raise _Fail("#DIV/0!")
        return sum(nums) / len(nums)
    if name in ("MIN", "MAX"):
        nums = _numbers(args)
        return (min(nums) if name == "MIN" else max(nums)) if nums else 0.0
    if name == "COUNT":
        return float(len(_numbers([a for a in args if isinstance(a, list)])))
    if name == "COUNTA":
        return float(sum(1 for v in _flat(args) if v not in (None, "")))
    if name == "IF":
        if len(args) not in (2, 3):
            raise _Fail("#N/A")
        return args[1] if _number(args[0]) else (args[2] if len(args) == 3 else False)
    if name in ("AND", "OR"):
        truths = [bool(_number(v)) for v in _flat(args)]
        return all(truths) if name == "AND" else any(truths)
    if name == "NOT":
        return not _number(args[0])
    if name == "ROUND":
        digits = int(_number(args[1])) if len(args) > 1 else 0
        return float(round(_number(args[0]), digits))
    if name == "ABS":
        return abs(_number(args[0]))
    if name == "LEN":
        return float(len(_text(args[0])))
    if name == "CONCATENATE":
        return "".join(_text(v) for v in _flat(args))
    if name in ("UPPER", "LOWER"):
        text = _text(args[0])
        return text.upper() if name == "UPPER" else text.lower()
    raise _Fail("#NAME?")


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], resolve: Resolver) -> None:
        self.tokens = tokens
        self.pos = 0
        self.resolve = resolve

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else ("end", "")

    def take(self, op: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if op is not None and token != ("op", op):
            raise _Fail("#ERROR!")
        self.pos += 1
        return token

    def expr(self) -> Any:
        left = self.concat()
        while self.peek()[0] == "op" and self.peek()[1] in ("=", "<>", "<", ">", "<=", ">="):
            op = self.take()[1]
            right = self.concat()
            left = _compare(op, left, right)
        return left

    def concat(self) -> Any:
        left = self.additive()
        while self.peek() == ("op", "&"):
            self.take()
            left = _text(left) + _text(self.additive())
        return left

    def additive(self) -> Any:
        left = self.term()
        while self.peek() in (("op", "+"), ("op", "-")):
            op = self.take()[1]
            right = _number(self.term())
            left = _number(left) + right if op == "+" else _number(left) - right
        return left

    def term(self) -> Any:
        left = self.power()
        while self.peek() in (("op", "*"), ("op", "/")):
            op = self.take()[1]
            right = _number(self.power())
            if op == "/" and right == 0:
                raise _Fail("#DIV/0!")
            left = _number(left) * right if op == "*" else _number(left) / right
        return left

    def power(self) -> Any:
        left = self.unary()
        while self.peek() == ("op", "^"):
            self.take()
            left = _number(left) ** _number(self.unary())
        return left

    def unary(self) -> Any:
        if self.peek() in (("op", "-"), ("op", "+")):
            op = self.take()[1]
            value = _number(self.unary())
            return -value if op == "-" else value
        value = self.primary()
        while self.peek() == ("op", "%"):
            self.take()
            value = _number(value) / 100
        return value

    def primary(self) -> Any:
        kind, text = self.take()
        if kind == "num":
            return float(text)
        if kind == "str":
            return text[1:-1].replace('""', '"')
        if kind == "ref":
            return self.reference(text)
        if kind == "err":  # a reference to a tab that was deleted
            raise _Fail("#REF!")
        if kind == "name":
            if self.peek() == ("op", "("):
                return self.call(text)
            if text.upper() in ("TRUE", "FALSE"):
                return text.upper() == "TRUE"
            raise _Fail("#NAME?")
        if (kind, text) == ("op", "("):
            value = self.expr()
            self.take(")")
            return value
        raise _Fail("#ERROR!")

    def call(self, name: str) -> Any:
        self.take("(")
        args: list[Any] = []
        if self.peek() != ("op", ")"):
            args.append(self.expr())
            while self.peek() == ("op", ","):
                self.take()
                args.append(self.expr())
        self.take(")")
        return _call(name, args)

    def reference(self, text: str) -> Any:
        sheet: str | None = None
        if "!" in text:
            sheet, _, text = text.rpartition("!")
            if sheet.startswith("'"):
                sheet = sheet[1:-1].replace("''", "'")
        try:
            window = parse_window(text.replace("$", ""))
        except A1Error as exc:
            raise _Fail("#REF!") from exc
        assert window.end_row is not None and window.end_col is not None
        rows = self.resolve(
            sheet, window.start_row, window.end_row, window.start_col, window.end_col
        )
        if ":" in text:
            return rows
        return rows[0][0] if rows and rows[0] else None


def _compare(op: str, left: Any, right: Any) -> bool:
    if isinstance(left, list) or isinstance(right, list):
        left, right = _first(left), _first(right)
    for v in (left, right):
        if isinstance(v, FormulaError):
            raise _Fail(v.code)
    if isinstance(left, str) or isinstance(right, str):
        a: Any = _text(left).lower()
        b: Any = _text(right).lower()
    else:
        a, b = _number(left), _number(right)
    outcomes: dict[str, bool] = {
        "=": a == b,
        "<>": a != b,
        "<": a < b,
        ">": a > b,
        "<=": a <= b,
        ">=": a >= b,
    }
    return outcomes[op]


def _first(value: Any) -> Any:
    if isinstance(value, list):
        return value[0][0] if value and value[0] else None
    return value


def evaluate(formula: str, resolve: Resolver) -> Scalar | FormulaError | None:
    """Evaluate ``=...`` with references resolved through ``resolve``."""
    try:
        parser = _Parser(_tokens(formula[1:]), resolve)
        value = parser.expr()
        if parser.pos != len(parser.tokens):
            raise _Fail("#ERROR!")
    except _Fail as fail:
        return FormulaError(fail.code)
    except (OverflowError, ValueError, ZeroDivisionError):
        return FormulaError("#NUM!")
    except RecursionError:
        return FormulaError("#REF!")
    result: Scalar | FormulaError | None = _first(value)
    if isinstance(result, int) and not isinstance(result, bool):
        return float(result)
    return result
