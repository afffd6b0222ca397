"""Every limit is a ``hubbub serve`` flag and a HUBBUB_* variable, with the documented default."""

from __future__ import annotations

from typing import Any

import click
import pytest
from click.testing import CliRunner

from hubbub.hub.limits import Limits, Rate
from hubbub.limit_options import connection_limits_from, limit_options, limits_from
from hubbub.server.conn_limits import ConnLimits


@click.command()
@limit_options
def show(no_limits: bool, **values: Any) -> None:
    click.echo(repr(limits_from(no_limits, values)))
    click.echo(repr(connection_limits_from(values)))


def shown(*args: str, **env: str) -> list[str]:
    """What ``show`` prints: the limits, then the connection limits."""
    result = CliRunner().invoke(show, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


def limits(*args: str, **env: str) -> str:
    return shown(*args, **env)[0]


def test_the_defaults_are_the_documented_ones() -> None:
    assert limits() == repr(Limits())
    assert Limits().messages == Rate(10, 2.0)
    assert shown()[1] == repr(ConnLimits())
    assert ConnLimits().sign_in_deadline == 10.0


def test_each_limit_has_a_flag_and_a_variable() -> None:
    expected = Limits(messages=Rate(3, 1.0), calc=Rate(4, 0.5), flood_strikes=7)
    assert limits(
        "--messages-limit", "3,1", "--calc-limit", "4,0.5", HUBBUB_FLOOD_STRIKES="7"
    ) == repr(expected)


@pytest.mark.parametrize("env", [{}, {"HUBBUB_NO_LIMITS": "1"}])
def test_no_limits_turns_them_off(env: dict[str, str]) -> None:
    args = () if env else ("--no-limits",)
    assert limits(*args, **env) == repr(Limits.off())


def test_a_malformed_rate_is_refused_in_one_line() -> None:
    result = CliRunner().invoke(show, ["--status-limit", "fast"])
    assert result.exit_code == 2
    assert "is not BURST,PER_SECOND" in result.output


def test_the_sign_in_limits_have_flags_and_variables() -> None:
    expected = Limits(name_failures=Rate(3, 0.5), sign_ups=Rate(2, 0.001), hash_queue=4)
    assert limits(
        "--name-failures-limit", "3,0.5", "--hash-queue", "4", HUBBUB_SIGN_UPS_LIMIT="2,0.001"
    ) == repr(expected)
