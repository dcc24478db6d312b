"""The public surface: a deliberate __all__, and a CLI whose every command explains itself."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

import twosource
from twosource.cli import cli


def test_all_lists_exactly_the_public_names_and_each_resolves():
    assert len(set(twosource.__all__)) == len(twosource.__all__)
    assert all(getattr(twosource, name) is not None for name in twosource.__all__)  # each loads on first use
    public = {name for name in dir(twosource) if not name.startswith("_")}
    modules = {name for name in public if type(getattr(twosource, name)).__name__ == "module"}
    assert set(twosource.__all__) == public - modules - {"annotations"}


def test_importing_twosource_loads_no_stage_and_no_numpy():
    code = (
        "import sys, twosource\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'numpy' or m.startswith('twosource.')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
    with pytest.raises(AttributeError):
        twosource.no_such_name  # noqa: B018


def _commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, command in group.commands.items():
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))


def test_every_command_has_help():
    for path, command in _commands(cli):
        assert command.help, path
        result = CliRunner().invoke(cli, [*path, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output, path
