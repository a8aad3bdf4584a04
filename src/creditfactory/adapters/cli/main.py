"""The `creditfactory` command.

Exit codes: 0 success; 1 an unexpected failure (one line; CREDITFACTORY_DEBUG=1 shows the
traceback); 2 bad input (one line on stderr naming the field and the rule). Sub-commands live in
sibling modules exposing `register(app: typer.Typer)`.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys

import typer
from pydantic import ValidationError as SettingsError
from typer.exceptions import TyperException

from creditfactory.config import settings_problem
from creditfactory.kernel.errors import CreditFactoryError, ValidationError

app = typer.Typer(
    name="creditfactory",
    help="creditfactory — lending to small and micro businesses (小微企业) and 个体工商户.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

EXIT_BAD_INPUT = 2


@app.callback()
def _root() -> None:
    """creditfactory — lending to small and micro businesses (小微企业) and 个体工商户."""


def _register_commands() -> None:
    package = importlib.import_module("creditfactory.adapters.cli")
    for module_info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if module_info.name == "main":
            continue
        module = importlib.import_module(f"creditfactory.adapters.cli.{module_info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app)


def fail(message: str) -> typer.Exit:
    """Print one line on stderr and return the bad-input exit to raise."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(EXIT_BAD_INPUT)


def main() -> None:
    """Entry point: run the app and map domain errors to exit code 2 with one line."""
    _register_commands()
    try:
        code = app(standalone_mode=False)  # returns typer.Exit's code instead of raising
        sys.exit(code if isinstance(code, int) else 0)
    except (ValidationError, CreditFactoryError) as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    except SettingsError as exc:  # a CREDITFACTORY_* setting refused by config.Settings
        typer.echo(f"error: {ValidationError(*settings_problem(exc))}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        sys.exit(1)
    except TyperException as exc:  # usage errors (bad option, missing argument)
        typer.echo(f"error: {exc.format_message()}", err=True)
        sys.exit(EXIT_BAD_INPUT if exc.exit_code in (1, 2) else exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # a bug, not bad input: one line unless debugging
        if os.environ.get("CREDITFACTORY_DEBUG"):
            raise
        typer.echo(
            f"error: unexpected {type(exc).__name__}: {exc} (CREDITFACTORY_DEBUG=1 shows the "
            "traceback; please report it)",
            err=True,
        )
        sys.exit(1)


if __name__ == "__main__":
    main()
