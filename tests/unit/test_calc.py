"""Examples of what the Calculate feature answers and what it refuses, and where."""

import ast
import inspect
import math
import pickle
import sys
import time

import pytest

from hubbub import calc
from hubbub.calc import MAX_EXPRESSION_CHARS, CalcError, evaluate, format_result

TIMES = "\N{MULTIPLICATION SIGN}"
DIVIDE = "\N{DIVISION SIGN}"
MINUS = "\N{MINUS SIGN}"
FULLWIDTH_PI = "\N{FULLWIDTH LATIN SMALL LETTER P}\N{FULLWIDTH LATIN SMALL LETTER I}"


def _assert_same(actual: int | float, expected: int | float) -> None:
    assert type(actual) is type(expected)
    assert actual == expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("1 + 2", 3),
        ("7 - 10", -3),
        ("6 * 7", 42),
        ("6 / 3", 2.0),
        ("7 / 2", 3.5),
        ("7 // 2", 3),
        ("-7 // 2", -4),
        ("7.5 // 2", 3.0),
        ("7 % 3", 1),
        ("-7 % 3", 2),
        ("7.5 % 2", 1.5),
        ("2 ** 10", 1024),
        ("2 ** -1", 0.5),
        ("4 ** 0.5", 2.0),
        ("0 ** 0", 1),
        ("-2 ** 2", -4),
        ("(-2) ** 2", 4),
        ("2 ** 3 ** 2", 512),
        ("+5", 5),
        ("--5", 5),
        ("-2.5", -2.5),
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("((((7))))", 7),
        ("10 - 4 - 3", 3),
        ("2.5", 2.5),
        (".5", 0.5),
        ("5.", 5.0),
        ("1e3", 1000.0),
        ("1.5E-3", 0.0015),
        pytest.param("1" * MAX_EXPRESSION_CHARS, int("1" * MAX_EXPRESSION_CHARS), id="500 digits"),
        ("10 ** 999", 10**999),
    ],
)
def test_arithmetic_follows_python_semantics(expression: str, expected: int | float) -> None:
    _assert_same(evaluate(expression), expected)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        (f"6 {TIMES} 7", 42),
        (f"7 {DIVIDE} 2", 3.5),
        (f"7 {MINUS} 10", -3),
        (f"{MINUS}2 ** 2", -4),
        (f"2{TIMES}3{DIVIDE}4{MINUS}1", 0.5),
    ],
)
def test_unicode_operator_signs_mean_their_ascii_operators(
    expression: str, expected: int | float
) -> None:
    _assert_same(evaluate(expression), expected)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("pi", math.pi),
        ("e", math.e),
        ("2 * pi", 2 * math.pi),
        ("sqrt(16)", 4.0),
        ("sqrt(2)", math.sqrt(2)),
        ("sin(0)", 0.0),
        ("sin(pi / 2)", 1.0),
        ("cos(0)", 1.0),
        ("cos(pi)", -1.0),
        ("tan(0)", 0.0),
        ("tan(pi / 4)", math.tan(math.pi / 4)),
        ("log(1000)", 3.0),
        ("log(8, 2)", 3.0),
        ("log(10 ** 999)", 999.0),
        ("ln(e)", 1.0),
        ("ln(1)", 0.0),
        ("exp(0)", 1.0),
        ("exp(1)", math.e),
        ("abs(-3)", 3),
        ("abs(-2.5)", 2.5),
        ("round(2.567, 2)", 2.57),
        ("round(2.5)", 2),
        ("round(3.5)", 4),
        ("round(1234, -2)", 1200),
        ("round(7)", 7),
        ("min(3, 1, 2)", 1),
        ("min(1.5, 2)", 1.5),
        ("max(3, 1, 2)", 3),
        ("max(2)", 2),
        ("max(-1, sqrt(4), 1)", 2.0),
    ],
)
def test_names_and_functions_give_the_right_answer(expression: str, expected: int | float) -> None:
    _assert_same(evaluate(expression), expected)


@pytest.mark.parametrize(
    "expression",
    ["  1 + 2  ", "1 +\n2", "1\r\n+ 2", "\t1\t+\t2", "1\u00a0+\u00a02", "1 + 2 # the bill"],
)
def test_any_whitespace_separates_tokens_and_comments_are_ignored(expression: str) -> None:
    _assert_same(evaluate(expression), 3)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (3, "3"),
        (-3, "-3"),
        (10**50, "1" + "0" * 50),
        (2.0, "2.0"),
        (0.1, "0.1"),
        (-0.0, "-0.0"),
        (1e20, "1e+20"),
        (1 / 3, "0.3333333333333333"),
    ],
)
def test_format_result_shows_ints_in_full_and_floats_as_repr(value: int | float, text: str) -> None:
    assert format_result(value) == text


def test_calc_error_is_a_value_error_carrying_its_position() -> None:
    with pytest.raises(ValueError, match=r"^division by zero at 3$") as caught:
        evaluate("1 / 0")
    assert isinstance(caught.value, CalcError)
    assert caught.value.position == 3


def test_calc_error_survives_pickling() -> None:
    error = pickle.loads(pickle.dumps(_refusal("sqrt(-1)")))
    assert isinstance(error, CalcError)
    assert (str(error), error.problem, error.position) == (
        "math domain error in sqrt at 1",
        "math domain error in sqrt",
        1,
    )


def _refusal(expression: str) -> CalcError:
    with pytest.raises(CalcError) as caught:
        evaluate(expression)
    return caught.value


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("10 / 0", "division by zero at 4"),
        ("1/0", "division by zero at 2"),
        ("1//0", "division by zero at 2"),
        ("1%0", "division by zero at 2"),
        ("1.0 % 0.0", "division by zero at 5"),
        ("0**-1", "division by zero at 2"),
        ("0.0 ** -1", "division by zero at 5"),
        ("(1 + 2) / (3 - 3)", "division by zero at 9"),
        (f"2 {TIMES} 3 {DIVIDE} 0", "division by zero at 7"),
    ],
)
def test_division_by_zero_names_its_operator_position(expression: str, message: str) -> None:
    assert str(_refusal(expression)) == message


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("9**9**9", "result too large at 2"),
        ("10**100000", "result too large at 3"),
        ("(-7) ** 10 ** 10", "result too large at 6"),
    ],
)
def test_power_tower_is_refused_before_computing(expression: str, message: str) -> None:
    started = time.monotonic()
    assert str(_refusal(expression)) == message
    assert time.monotonic() - started < 1.0


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("10 ** 1000", "result too large at 4"),
        ("(10 ** 999) * 10", "result too large at 13"),
        ("10 ** 999 + 9 * 10 ** 999", "result too large at 11"),
        ("1e308 * 10", "result too large at 7"),
        ("1e308 + 1e308", "result too large at 7"),
        ("2.0 ** 10000", "result too large at 5"),
        ("10 ** 400 / 3", "result too large at 11"),
        ("1e6 // 5e-324", "result too large at 5"),
        ("1e999", "number too large at 1"),
        ("1 + 1e999", "number too large at 5"),
        ("exp(1000)", "number too large for exp at 1"),
        ("sqrt(10 ** 400)", "number too large for sqrt at 1"),
        ("round(9 * 10 ** 999 + (10 ** 999 - 1), -1)", "result too large at 1"),
        ("round(5, -10 ** 9)", "round() accepts at most 1000 digits at 1"),
        ("round(1.5, 10 ** 9)", "round() accepts at most 1000 digits at 1"),
    ],
)
def test_results_beyond_the_size_limits_are_refused(expression: str, message: str) -> None:
    assert str(_refusal(expression)) == message


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("sqrt(-1)", "math domain error in sqrt at 1"),
        ("1 + log(0)", "math domain error in log at 5"),
        ("log(-1, 2)", "math domain error in log at 1"),
        ("log(8, 0)", "math domain error in log at 1"),
        ("ln(-1)", "math domain error in ln at 1"),
        ("ln(0)", "math domain error in ln at 1"),
        ("log(2, 1)", "division by zero in log at 1"),
        ("(-8) ** 0.5", "fractional power of a negative number at 6"),
        ("round(1.5, 0.5)", "round() needs a whole number of digits at 1"),
    ],
)
def test_math_errors_name_the_function_or_operator(expression: str, message: str) -> None:
    assert str(_refusal(expression)) == message


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("x", "unknown name 'x' at 1"),
        ("2 * tau", "unknown name 'tau' at 5"),
        ("π + 1", "unknown name 'π' at 1"),
        ("1 + π", "unknown name 'π' at 5"),
        (FULLWIDTH_PI, f"unknown name '{FULLWIDTH_PI}' at 1"),
        ("sqrt", "unknown name 'sqrt' at 1"),
        ("__import__('os')", "unknown function '__import__' at 1"),
        ("2 * foo(1)", "unknown function 'foo' at 5"),
        ("pi(2)", "unknown function 'pi' at 1"),
        ("2(3)", "only named functions can be called (use * to multiply) at 1"),
        ("sqrt(4)(2)", "only named functions can be called (use * to multiply) at 1"),
        ("sqrt()", "wrong number of arguments for sqrt(): expected exactly 1, got 0 at 1"),
        ("sqrt(1, 2)", "wrong number of arguments for sqrt(): expected exactly 1, got 2 at 1"),
        ("log(1, 2, 3)", "wrong number of arguments for log(): expected 1 or 2, got 3 at 1"),
        ("round()", "wrong number of arguments for round(): expected 1 or 2, got 0 at 1"),
        ("min()", "wrong number of arguments for min(): expected at least 1, got 0 at 1"),
        ("round(1.5, ndigits=1)", "keyword arguments are not allowed at 12"),
        ("max(π, k=1)", "keyword arguments are not allowed at 8"),
        ("max(**x)", "keyword arguments are not allowed at 5"),
        ("max(*x)", "starred arguments are not allowed at 5"),
        ("max(π, *x)", "starred arguments are not allowed at 8"),
    ],
)
def test_unknown_names_and_bad_calls_are_refused(expression: str, message: str) -> None:
    assert str(_refusal(expression)) == message


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("().__class__", "attributes are not allowed at 1"),
        ("a.b", "attributes are not allowed at 1"),
        ("1 + x[0]", "subscripts are not allowed at 5"),
        ("1 < 2", "comparisons are not allowed at 1"),
        ("1 == 1", "comparisons are not allowed at 1"),
        ("1 and 2", "'and' and 'or' are not allowed at 1"),
        ("1 or 2", "'and' and 'or' are not allowed at 1"),
        ("not 1", "'not' is not allowed at 1"),
        ("~1", "operator '~' is not allowed at 1"),
        ("1 if 1 else 2", "conditional expressions are not allowed at 1"),
        ("lambda: 1", "lambda is not allowed at 1"),
        ("(x := 1)", "assignment expressions are not allowed at 2"),
        ("[1, 2]", "lists are not allowed at 1"),
        ("(1, 2)", "tuples are not allowed at 1"),
        ("1, 2", "tuples are not allowed at 1"),
        ("{1: 2}", "dicts are not allowed at 1"),
        ("{1}", "sets are not allowed at 1"),
        ("[x for x in y]", "comprehensions are not allowed at 1"),
        ("{x for x in y}", "comprehensions are not allowed at 1"),
        ("{x: 1 for x in y}", "comprehensions are not allowed at 1"),
        ("max(x for x in y)", "comprehensions are not allowed at 4"),
        ("'abc'", "strings are not allowed at 1"),
        ("f'{1}'", "strings are not allowed at 1"),
        ("b'abc'", "bytes are not allowed at 1"),
        ("True", "True and False are not allowed at 1"),
        ("1 + False", "True and False are not allowed at 5"),
        ("None", "None is not allowed at 1"),
        ("...", "'...' is not allowed at 1"),
        ("1j", "complex numbers are not allowed at 1"),
        ("await x", "'await' is not allowed at 1"),
        ("(yield)", "'yield' is not allowed at 2"),
        ("(yield from x)", "'yield' is not allowed at 2"),
        ("2 ^ 3", "operator '^' is not allowed (use ** for powers) at 3"),
        ("1 | 2", "operator '|' is not allowed at 3"),
        ("1 & 2", "operator '&' is not allowed at 3"),
        ("1 << 2", "operator '<<' is not allowed at 3"),
        ("1 >> 2", "operator '>>' is not allowed at 3"),
        ("1 @ 2", "operator '@' is not allowed at 3"),
    ],
)
def test_anything_beyond_arithmetic_says_what_is_not_allowed(expression: str, message: str) -> None:
    assert str(_refusal(expression)) == message


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("0x10", "'0x10' is not a decimal number at 1"),
        ("0b1", "'0b1' is not a decimal number at 1"),
        ("0o7", "'0o7' is not a decimal number at 1"),
        ("1 + 1_000", "'1_000' is not a decimal number at 5"),
    ],
)
def test_only_decimal_numbers_are_accepted(expression: str, message: str) -> None:
    assert str(_refusal(expression)) == message


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("1 +", "invalid syntax at 4"),
        ("  1 +  ", "invalid syntax at 6"),
        ("1 2", "invalid syntax at 3"),
        ("1 $ 2", "invalid syntax at 3"),
        ("x = 1", "invalid syntax at 3"),
        ("(1", "'(' was never closed at 1"),
        ("1)", "unmatched ')' at 2"),
        ("π π", "invalid syntax at 3"),
        ("1 € 2", "invalid character '€' (U+20AC) at 3"),
        ("007", "leading zeros in decimal integer literals are not permitted at 1"),
        ("2e", "invalid decimal literal at 1"),
        ("'abc", "unterminated string literal at 1"),
        ("1\u200b+ 2", "invalid non-printable character U+200B at 2"),
        pytest.param("(" * 500, "too many nested parentheses at 201", id="500 parentheses"),
    ],
)
def test_syntax_errors_report_where_the_parser_stopped(expression: str, message: str) -> None:
    assert str(_refusal(expression)) == message


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("", "expression is empty at 1"),
        ("   ", "expression is empty at 1"),
        ("\n\t ", "expression is empty at 1"),
        pytest.param("1" * 501, "expression is longer than 500 characters at 501", id="501 digits"),
        pytest.param(" " * 1000, "expression is longer than 500 characters at 501", id="spaces"),
        ("1\x00", "character U+0000 is not allowed at 2"),
        ("\x1b[31m1", "character U+001B is not allowed at 1"),
        ("1 + \ud800", "character U+D800 is not allowed at 5"),
    ],
)
def test_empty_overlong_and_control_text_is_refused(expression: str, message: str) -> None:
    assert str(_refusal(expression)) == message


def test_deep_but_short_nesting_is_evaluated() -> None:
    assert evaluate("-" * 499 + "1") == -1
    assert evaluate("1+" * 249 + "1") == 250
    assert evaluate("abs(" * 99 + "1" + ")" * 99) == 1


def test_nesting_deeper_than_the_stack_allows_is_refused() -> None:
    def evaluate_deeper(frames: int) -> int | float:
        return evaluate_deeper(frames - 1) if frames else evaluate("-" * 499 + "1")

    frames_to_spare = 100
    frames_in_use = len(inspect.stack(0))
    with pytest.raises(CalcError, match=r"^expression is nested too deeply at 1$"):
        evaluate_deeper(sys.getrecursionlimit() - frames_in_use - frames_to_spare)


def test_parser_running_out_of_memory_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    def exhausted(*args: object, **kwargs: object) -> None:
        raise MemoryError

    monkeypatch.setattr(ast, "parse", exhausted)
    assert str(_refusal("1 + 1")) == "expression is nested too deeply at 1"


def test_evaluation_past_its_time_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(calc, "_TIME_LIMIT_SECONDS", -1.0)
    assert str(_refusal("1 + 2")) == "calculation took too long at 1"
