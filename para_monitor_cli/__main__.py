"""The ``para-monitor`` console script and ``python -m para_monitor_cli``.

Ctrl-C is handled from the first instruction: until the CLI is imported (typer alone takes
about 0.1 s), a Ctrl-C prints one line and exits 130 instead of a traceback from the middle
of an import; :func:`para_monitor_cli.cli.main` then installs the handler that stops the
command's waits.
"""

import os
import signal
from types import FrameType


def _interrupted_while_starting(_signum: int, _frame: FrameType | None) -> None:
    os.write(2, b"error: interrupted\n")
    os._exit(130)


def main() -> None:
    signal.signal(signal.SIGINT, _interrupted_while_starting)
    from para_monitor_cli.cli import main as cli_main

    cli_main()


if __name__ == "__main__":  # pragma: no cover
    main()
