"""The "Calculate" feature: evaluate a user's arithmetic expression safely.

The language is the arithmetic subset of Python, with Python's semantics and precedence:

* decimal numbers (``2``, ``2.5``, ``.5``, ``1e3``); hex, octal, binary and ``1_000`` are refused;
* ``+ - * / // % **``, unary ``-`` and ``+``, parentheses; the signs U+00D7 (multiplication),
  U+00F7 (division) and U+2212 (minus) mean ``*``, ``/`` and ``-``;
* the names ``pi`` and ``e``;
* the functions ``sqrt sin cos tan exp abs``, ``log(x)`` (base 10), ``log(x, b)`` (base b),
  ``ln(x)`` (natural), ``round(x)``, ``round(x, digits)``, ``min(...)`` and ``max(...)``, with
  positional arguments only.

Any Unicode whitespace, line breaks included, separates tokens like a space; other control
characters are refused. Text after ``#`` is a comment, as in Python.

Limits: at most ``MAX_EXPRESSION_CHARS`` characters, integers of at most 1000 digits, floats
that stay finite, ``round`` to at most 1000 digits, and 50 ms of the thread's CPU time (not
wall time, so a busy machine does not fail a small sum). Huge powers such as ``9**9**9`` are
refused before they are computed. Nesting deeper than the Python stack allows
is refused too.

Every refusal is a ``CalcError`` whose ``position`` is a 1-based column in the original string
(every character counts as one, line breaks included). It points at:

* the operator symbol, for problems with a binary operator (``10 / 0`` -> 4);
* the function name, for problems with a call (unknown function, arity, domain);
* the argument, for keyword and starred arguments;
* where Python's parser noticed the problem, for syntax errors (one past the last
  non-blank character when the expression stops early);
* 1 for an empty expression and ``MAX_EXPRESSION_CHARS + 1`` for one that is too long;
* otherwise the first character of the offending sub-expression.
"""

import ast
import math
import operator
import re
import unicodedata
from collections.abc import Callable
from time import thread_time
from typing import NamedTuple

MAX_EXPRESSION_CHARS = 500

_MAX_INT_DIGITS = 1000
_INT_LIMIT = 10**_MAX_INT_DIGITS
_TIME_LIMIT_SECONDS = 0.05

_Number = int | float

_UNICODE_OPERATORS = str.maketrans({"\u00d7": "*", "\u00f7": "/", "\u2212": "-"})
_DECIMAL = re.compile(r"([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
_SYNTAX_MESSAGE_END = re.compile(r"\. |; | \(detected at")


class CalcError(ValueError):
    """A refused or failed expression; str(err) is a human sentence that ends with 'at N'.

    ``position`` is the 1-based character column in the original expression and ``problem``
    the sentence without it. Errors survive pickling, e.g. from a process pool.
    """

    def __init__(self, problem: str, position: int) -> None:
        super().__init__(f"{problem} at {position}")
        self.problem = problem
        self.position = position

    def __reduce__(self) -> tuple[type["CalcError"], tuple[str, int]]:
        return CalcError, (self.problem, self.position)


class _Refused(Exception):
    """A problem found inside an operator or function; the caller knows its position."""


def _power(base: _Number, exponent: _Number) -> _Number:
    if (
        isinstance(base, int)
        and isinstance(exponent, int)
        and exponent > 0
        and abs(base) > 1
        and exponent * math.log10(abs(base)) > _MAX_INT_DIGITS + 1
    ):
        raise OverflowError
    result: _Number | complex = base**exponent
    if isinstance(result, complex):
        raise _Refused("fractional power of a negative number")
    return result


def _log(value: _Number, base: _Number | None = None) -> float:
    return math.log10(value) if base is None else math.log(value, base)


def _round(value: _Number, digits: _Number | None = None) -> _Number:
    if digits is None:
        return round(value)
    if not isinstance(digits, int):
        raise _Refused("round() needs a whole number of digits")
    if abs(digits) > _MAX_INT_DIGITS:
        raise _Refused(f"round() accepts at most {_MAX_INT_DIGITS} digits")
    return round(value, digits)


class _Function(NamedTuple):
    implementation: Callable[..., _Number]
    min_args: int
    max_args: int | None

    def arity(self) -> str:
        if self.max_args is None:
            return f"at least {self.min_args}"
        if self.max_args == self.min_args:
            return f"exactly {self.min_args}"
        return f"{self.min_args} or {self.max_args}"


_FUNCTIONS = {
    "sqrt": _Function(math.sqrt, 1, 1),
    "sin": _Function(math.sin, 1, 1),
    "cos": _Function(math.cos, 1, 1),
    "tan": _Function(math.tan, 1, 1),
    "log": _Function(_log, 1, 2),
    "ln": _Function(math.log, 1, 1),
    "exp": _Function(math.exp, 1, 1),
    "abs": _Function(abs, 1, 1),
    "round": _Function(_round, 1, 2),
    "min": _Function(lambda *values: min(values), 1, None),
    "max": _Function(lambda *values: max(values), 1, None),
}
_NAMES = {"pi": math.pi, "e": math.e}
_BINARY: dict[type[ast.operator], Callable[[_Number, _Number], _Number]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: _power,
}
_REFUSED_OPERATORS: dict[type[ast.operator], str] = {
    ast.BitXor: "operator '^' is not allowed (use ** for powers)",
    ast.BitOr: "operator '|' is not allowed",
    ast.BitAnd: "operator '&' is not allowed",
    ast.LShift: "operator '<<' is not allowed",
    ast.RShift: "operator '>>' is not allowed",
    ast.MatMult: "operator '@' is not allowed",
}
_REFUSED_CONSTANTS: dict[type[object], str] = {
    bool: "True and False are not allowed",
    complex: "complex numbers are not allowed",
    str: "strings are not allowed",
    bytes: "bytes are not allowed",
    type(None): "None is not allowed",
    type(...): "'...' is not allowed",
}
_REFUSED_NODES: dict[type[ast.AST], str] = {
    ast.Attribute: "attributes are not allowed",
    ast.Subscript: "subscripts are not allowed",
    ast.Compare: "comparisons are not allowed",
    ast.BoolOp: "'and' and 'or' are not allowed",
    ast.IfExp: "conditional expressions are not allowed",
    ast.Lambda: "lambda is not allowed",
    ast.NamedExpr: "assignment expressions are not allowed",
    ast.List: "lists are not allowed",
    ast.Tuple: "tuples are not allowed",
    ast.Set: "sets are not allowed",
    ast.Dict: "dicts are not allowed",
    ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "comprehensions are not allowed",
    ast.JoinedStr: "strings are not allowed",
    ast.Await: "'await' is not allowed",
    ast.Yield: "'yield' is not allowed",
    ast.YieldFrom: "'yield' is not allowed",
}


def _checked(value: _Number, position: int) -> _Number:
    too_big_int = isinstance(value, int) and abs(value) >= _INT_LIMIT
    if too_big_int or (isinstance(value, float) and not math.isfinite(value)):
        raise CalcError("result too large", position)
    return value


class _Evaluator:
    """One walk over a parsed expression, reporting positions in the original string."""

    def __init__(self, text: str, lead: int, deadline: float) -> None:
        self._text = text
        self._lead = lead
        self._deadline = deadline
        self._char_at_byte: list[int] = []
        for index, char in enumerate(text):
            self._char_at_byte.extend([index] * len(char.encode()))
        self._char_at_byte.append(len(text))

    def _span(self, node: ast.expr | ast.keyword) -> tuple[int, int]:
        assert node.end_col_offset is not None  # always set by ast.parse
        return self._char_at_byte[node.col_offset], self._char_at_byte[node.end_col_offset]

    def _position(self, node: ast.expr | ast.keyword) -> int:
        return self._lead + self._span(node)[0] + 1

    def _source(self, node: ast.expr) -> str:
        start, end = self._span(node)
        return self._text[start:end]

    def _operator_position(self, node: ast.BinOp) -> int:
        after_left = self._text[self._span(node.left)[1] :]
        return self._lead + len(self._text) - len(after_left.lstrip(" )")) + 1

    def evaluate(self, node: ast.expr) -> _Number:
        position = self._position(node)
        if thread_time() > self._deadline:
            raise CalcError("calculation took too long", position)
        match node:
            case ast.Constant(value=value):
                if isinstance(value, bool) or not isinstance(value, int | float):
                    problem = _REFUSED_CONSTANTS.get(type(value), "this value is not allowed")
                    raise CalcError(problem, position)
                if not _DECIMAL.fullmatch(self._source(node)):
                    raise CalcError(f"'{self._source(node)}' is not a decimal number", position)
                if isinstance(value, float) and math.isinf(value):
                    raise CalcError("number too large", position)
                return value
            case ast.Name():
                name = self._source(node)
                if name not in _NAMES:
                    raise CalcError(f"unknown name '{name}'", position)
                return _NAMES[name]
            case ast.UnaryOp(op=ast.Not()):
                raise CalcError("'not' is not allowed", position)
            case ast.UnaryOp(op=ast.Invert()):
                raise CalcError("operator '~' is not allowed", position)
            case ast.UnaryOp(op=op, operand=operand):
                value = self.evaluate(operand)
                return -value if isinstance(op, ast.USub) else value
            case ast.BinOp():
                return self._binary(node)
            case ast.Call():
                return self._call(node, position)
        problem = _REFUSED_NODES.get(type(node), "this kind of expression is not allowed")
        raise CalcError(problem, position)

    def _binary(self, node: ast.BinOp) -> _Number:
        position = self._operator_position(node)
        function = _BINARY.get(type(node.op))
        if function is None:
            raise CalcError(_REFUSED_OPERATORS[type(node.op)], position)
        left = self.evaluate(node.left)
        right = self.evaluate(node.right)
        try:
            result = function(left, right)
        except ZeroDivisionError:
            raise CalcError("division by zero", position) from None
        except OverflowError:
            raise CalcError("result too large", position) from None
        except _Refused as refusal:
            raise CalcError(str(refusal), position) from None
        return _checked(result, position)

    def _call(self, node: ast.Call, position: int) -> _Number:
        if not isinstance(node.func, ast.Name):
            raise CalcError("only named functions can be called (use * to multiply)", position)
        name = self._source(node.func)
        function = _FUNCTIONS.get(name)
        if function is None:
            raise CalcError(f"unknown function '{name}'", position)
        if node.keywords:
            raise CalcError("keyword arguments are not allowed", self._position(node.keywords[0]))
        for argument in node.args:
            if isinstance(argument, ast.Starred):
                raise CalcError("starred arguments are not allowed", self._position(argument))
        count = len(node.args)
        too_many = function.max_args is not None and count > function.max_args
        if count < function.min_args or too_many:
            expected = function.arity()
            raise CalcError(
                f"wrong number of arguments for {name}(): expected {expected}, got {count}",
                position,
            )
        arguments = [self.evaluate(argument) for argument in node.args]
        try:
            result = function.implementation(*arguments)
        except ValueError:
            raise CalcError(f"math domain error in {name}", position) from None
        except ZeroDivisionError:
            raise CalcError(f"division by zero in {name}", position) from None
        except OverflowError:
            raise CalcError(f"number too large for {name}", position) from None
        except _Refused as refusal:
            raise CalcError(str(refusal), position) from None
        return _checked(result, position)


def _syntax_error(error: SyntaxError, text: str, lead: int) -> CalcError:
    problem = _SYNTAX_MESSAGE_END.split(error.msg, maxsplit=1)[0]
    if error.offset is None or error.offset < 1:
        return CalcError(problem, lead + len(text.rstrip(" ")) + 1)
    return CalcError(problem, lead + min(error.offset, len(text) + 1))


def evaluate(expression: str) -> int | float:
    """The value of ``expression``; raises CalcError for anything refused or failing.

    Pure: no I/O and no shared state. See the module docstring for the language and limits.
    """
    if len(expression) > MAX_EXPRESSION_CHARS:
        raise CalcError(
            f"expression is longer than {MAX_EXPRESSION_CHARS} characters",
            MAX_EXPRESSION_CHARS + 1,
        )
    spaced = "".join(" " if char.isspace() else char for char in expression)
    for index, char in enumerate(spaced):
        if unicodedata.category(char) in ("Cc", "Cs"):
            raise CalcError(f"character U+{ord(char):04X} is not allowed", index + 1)
    text = spaced.translate(_UNICODE_OPERATORS).lstrip(" ")
    if not text:
        raise CalcError("expression is empty", 1)
    lead = len(spaced) - len(text)
    try:
        tree = ast.parse(text, mode="eval")
        return _Evaluator(text, lead, thread_time() + _TIME_LIMIT_SECONDS).evaluate(tree.body)
    except SyntaxError as error:
        raise _syntax_error(error, text, lead) from None
    except (MemoryError, RecursionError):
        raise CalcError("expression is nested too deeply", 1) from None


def format_result(value: int | float) -> str:
    """``value`` as the chat shows it: integers in full, floats as Python's shortest repr."""
    return repr(value)
