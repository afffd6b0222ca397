"""Properties of the Calculate feature over generated expressions and junk text."""

import math
import operator
import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from hubbub.calc import MAX_EXPRESSION_CHARS, CalcError, evaluate, format_result

_INT_LIMIT = 10**1000

# Each operator with the spellings the calculator accepts for it.
_OPERATORS: dict[str, tuple[Callable[[int | float, int | float], int | float], list[str]]] = {
    "+": (operator.add, ["+"]),
    "-": (operator.sub, ["-", "\N{MINUS SIGN}"]),
    "*": (operator.mul, ["*", "\N{MULTIPLICATION SIGN}"]),
    "/": (operator.truediv, ["/", "\N{DIVISION SIGN}"]),
    "//": (operator.floordiv, ["//"]),
    "%": (operator.mod, ["%"]),
}
_OPERATOR_CHARACTERS = "+-*/%\N{MINUS SIGN}\N{MULTIPLICATION SIGN}\N{DIVISION SIGN}"


@dataclass(frozen=True)
class Expression:
    """Rendered text and what evaluating it must give: a number or the refusal's key words."""

    text: str
    outcome: int | float | str


def _combine(
    text: str,
    function: Callable[[int | float, int | float], int | float],
    left: Expression,
    right: Expression,
) -> Expression:
    """The reference model: operands left to right, Python arithmetic, the calculator's limits."""
    if isinstance(left.outcome, str):
        return Expression(text, left.outcome)
    if isinstance(right.outcome, str):
        return Expression(text, right.outcome)
    try:
        value = function(left.outcome, right.outcome)
    except ZeroDivisionError:
        return Expression(text, "division by zero")
    except OverflowError:
        return Expression(text, "result too large")
    too_big_int = isinstance(value, int) and abs(value) >= _INT_LIMIT
    if too_big_int or (isinstance(value, float) and not math.isfinite(value)):
        return Expression(text, "result too large")
    return Expression(text, value)


_numbers = st.one_of(
    st.integers(min_value=0, max_value=10**6).map(lambda n: Expression(str(n), n)),
    st.floats(min_value=0.0, max_value=1e6, allow_nan=False, allow_infinity=False).map(
        lambda x: Expression(repr(x), x)
    ),
)


@st.composite
def _binary(draw: st.DrawFn, operands: st.SearchStrategy[Expression]) -> Expression:
    left, right = draw(operands), draw(operands)
    function, spellings = _OPERATORS[draw(st.sampled_from(sorted(_OPERATORS)))]
    spelling = draw(st.sampled_from(spellings))
    space = draw(st.sampled_from(["", " "]))
    return _combine(f"({left.text}{space}{spelling}{space}{right.text})", function, left, right)


@st.composite
def _power(draw: st.DrawFn, operands: st.SearchStrategy[Expression]) -> Expression:
    base = draw(operands)
    exponent = draw(st.integers(min_value=-3, max_value=4))
    exponent_text = f"(-{-exponent})" if exponent < 0 else str(exponent)
    return _combine(
        f"({base.text} ** {exponent_text})",
        operator.pow,
        base,
        Expression(exponent_text, exponent),
    )


def _negated(operand: Expression) -> Expression:
    text = f"(-{operand.text})"
    if isinstance(operand.outcome, str):
        return Expression(text, operand.outcome)
    return Expression(text, -operand.outcome)


_expressions = st.recursive(
    _numbers,
    lambda operands: st.one_of(_binary(operands), _power(operands), operands.map(_negated)),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(_expressions)
def test_generated_arithmetic_agrees_with_python(expression: Expression) -> None:
    assume(len(expression.text) <= MAX_EXPRESSION_CHARS)
    if isinstance(expression.outcome, str):
        with pytest.raises(CalcError, match=expression.outcome) as caught:
            evaluate(expression.text)
        assert expression.text[caught.value.position - 1] in _OPERATOR_CHARACTERS
    else:
        result = evaluate(expression.text)
        assert type(result) is type(expression.outcome)
        assert format_result(result) == repr(expression.outcome)


def _outcome(text: str) -> int | float | CalcError:
    try:
        return evaluate(text)
    except CalcError as error:
        return error


def _assert_number_or_calc_error(text: str) -> None:
    started = time.monotonic()
    outcome = _outcome(text)
    assert time.monotonic() - started < 1.0
    if isinstance(outcome, CalcError):
        assert 1 <= outcome.position <= len(text) + 1
        assert str(outcome).endswith(f" at {outcome.position}")
    else:
        assert type(outcome) in (int, float)
        assert format_result(outcome)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=600))
def test_any_text_gives_a_number_or_a_calc_error_quickly(text: str) -> None:
    _assert_number_or_calc_error(text)


_TOKENS = [
    *"0123456789",
    ".", "e", "E", " ", "(", ")", ",", "+", "-", "*", "/", "%", "**", "//", "^",
    "\N{MINUS SIGN}", "\N{MULTIPLICATION SIGN}", "\N{DIVISION SIGN}",
    "pi", "sqrt(", "sin(", "cos(", "tan(", "log(", "ln(", "exp(", "abs(", "round(", "min(",
    "max(", "99999", "9**9**9", "1e308",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_TOKENS), max_size=80).map("".join))
def test_calculator_alphabet_junk_gives_a_number_or_a_calc_error_quickly(text: str) -> None:
    _assert_number_or_calc_error(text)
