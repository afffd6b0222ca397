"""``hubbub serve`` flags for every limit, made from :class:`~hubbub.hub.limits.Limits` and
:class:`~hubbub.server.conn_limits.ConnLimits` themselves.

Each field becomes a flag and an environment variable: ``messages`` is
``--messages-limit BURST,PER_SECOND`` / ``HUBBUB_MESSAGES_LIMIT``, ``flood_strikes`` is
``--flood-strikes N`` / ``HUBBUB_FLOOD_STRIKES``; ``--no-limits`` / ``HUBBUB_NO_LIMITS=1``
turns the per-account and per-address ones off. A new limit is a new field, and its flag
follows.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

import click

from hubbub.hub.limits import Limits, Rate
from hubbub.server.conn_limits import ConnLimits

F = TypeVar("F", bound=Callable[..., Any])


class RateType(click.ParamType[Rate, Any]):
    """``BURST,PER_SECOND``, e.g. ``10,2``: a burst of 10, then 2 a second."""

    name = "BURST,PER_SECOND"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Rate:
        if isinstance(value, Rate):
            return value
        try:
            burst, per_second = str(value).split(",")
            rate = Rate(int(burst), float(per_second))
        except ValueError:
            self.fail(f"{value!r} is not BURST,PER_SECOND (such as 10,2)", param, ctx)
        if rate.burst < 1 or rate.per_second <= 0:
            self.fail(f"{value!r}: the burst must be 1 or more and the rate above 0", param, ctx)
        return rate


def _flag(field: dataclasses.Field[Any], defaults: object) -> Callable[[F], F]:
    default = getattr(defaults, field.name)
    is_rate = isinstance(default, Rate)
    name = f"{field.name}_limit" if is_rate else field.name
    shown = f"{default.burst},{default.per_second:g}" if is_rate else default
    return click.option(
        f"--{name.replace('_', '-')}",
        field.name,
        envvar=f"HUBBUB_{name.upper()}",
        default=shown,
        show_default=True,
        type=RateType() if is_rate else _at_least_zero(default),
        help=field.metadata["help"],
    )


def _at_least_zero(default: object) -> click.ParamType[Any, Any]:
    """A count may be 0 (none, or no cap); a time must be above 0."""
    if isinstance(default, float):
        return click.FloatRange(min=0, min_open=True)
    return click.IntRange(min=0)


LIMIT_FIELDS = [f for f in dataclasses.fields(Limits) if f.name != "enabled"]
CONNECTION_FIELDS = dataclasses.fields(ConnLimits)


def limit_options(command: F) -> F:
    """Add ``--no-limits`` and a flag per limit to a click command."""
    for field in reversed(CONNECTION_FIELDS):
        command = _flag(field, ConnLimits())(command)
    for field in reversed(LIMIT_FIELDS):
        command = _flag(field, Limits())(command)
    no_limits = click.option(
        "--no-limits",
        envvar="HUBBUB_NO_LIMITS",
        is_flag=True,
        help="Turn every per-account and per-address limit off (load tests, benchmarks).",
    )
    return no_limits(command)


def limits_from(no_limits: bool, values: dict[str, Any]) -> Limits:
    """The :class:`Limits` the flags ask for."""
    return Limits(enabled=not no_limits, **{f.name: values[f.name] for f in LIMIT_FIELDS})


def connection_limits_from(values: dict[str, Any]) -> ConnLimits:
    """The :class:`ConnLimits` the flags ask for (``--no-limits`` is applied by the server)."""
    return ConnLimits(**{f.name: values[f.name] for f in CONNECTION_FIELDS})
