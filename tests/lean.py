"""Python code that refuses the training-only libraries as an install without the [train] extra would: the lean
runtime's test and ``bench/bench_cold.py`` run the CLI behind it."""

from twosource.models import TRAINING_ONLY

#: Put ahead of every other finder, it makes ``import torch`` fail as it does where torch is not installed.
REFUSE_TRAINING_ONLY = (
    "import sys\n"
    "class Refuse:\n"
    "    def find_spec(self, name, path=None, target=None):\n"
    f"        if name.split('.')[0] in {TRAINING_ONLY!r}:\n"
    "            raise ModuleNotFoundError(f'No module named {name!r}')\n"
    "sys.meta_path.insert(0, Refuse())\n"
)
#: The CLI (arguments after ``-c CODE``), run with the training-only libraries refused.
LEAN_CLI = REFUSE_TRAINING_ONLY + "sys.argv[0] = 'twosource'\nfrom twosource.cli import main\nmain()\n"
