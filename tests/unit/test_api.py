"""The public surface: a deliberate __all__, and a CLI whose every command explains itself."""

from __future__ import annotations

import click
from click.testing import CliRunner

import twosource
from twosource.cli import cli


def test_all_lists_exactly_the_public_names():
    public = {name for name in vars(twosource) if not name.startswith("_")}
    modules = {name for name in public if type(getattr(twosource, name)).__name__ == "module"}
    assert len(set(twosource.__all__)) == len(twosource.__all__)
    assert set(twosource.__all__) == public - modules - {"annotations", "logging"}


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
