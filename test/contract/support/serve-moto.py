"""The moto server on 127.0.0.1, on the port given (0: a free one, printed by werkzeug as "Running on ...").

Exits when its standard input closes: the test process that started it holds the other end, so a test run that
crashes or is killed never leaves a server behind.
"""

import os
import sys
import threading

from moto.server import main


def exit_when_parent_goes() -> None:
    sys.stdin.buffer.read()
    os._exit(0)


threading.Thread(target=exit_when_parent_goes, daemon=True).start()
main(["--host", "127.0.0.1", "--port", sys.argv[1] if len(sys.argv) > 1 else "0"])
