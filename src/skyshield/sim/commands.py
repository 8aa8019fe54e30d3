"""The live exercise's commands as typed models (``scenario.commands``: their home is the
scenario layer, since a scenario's MSEL is made of the same commands). This module keeps the
names the live code, the server and the tests import."""

from skyshield.scenario.commands import (
    COMMAND,
    COMMAND_NAMES,
    ENGINE_COMMANDS,
    MSEL_COMMANDS,
    SIM_COMMANDS,
    Command,
    CommandError,
    dump,
    message,
    parse_command,
    short,
)

__all__ = ["COMMAND", "COMMAND_NAMES", "ENGINE_COMMANDS", "MSEL_COMMANDS", "SIM_COMMANDS",
           "Command", "CommandError", "dump", "message", "parse_command", "short"]
