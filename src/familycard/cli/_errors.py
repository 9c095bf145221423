"""How a command's failure reaches its user: one line on stderr naming what and where, and an
exit code a script can act on (2 a mistake or the configuration, 3 another run holds the store or
the job, 1 an unforeseen error, with its trace under --debug)."""
from __future__ import annotations

import contextlib
import sys
from pathlib import Path

from familycard.settings import Settings


def run_command(args, settings: Settings) -> int:
    """The command ``args`` names, its errors told in one line each with their exit code."""
    from familycard.graph.rules import RuleError
    from familycard.graph.store import Conflict, StoreBusy, StoreUnavailable

    try:
        code = args.fn(args, settings)
        sys.stdout.flush()  # here, not at exit: a reader gone (`| head`) is then seen below
        return code
    except StoreBusy as e:  # another run holds the job or the store: one line, exit 3
        wait = " (or rerun with --wait SECONDS)" if (
            e.waiting_helps and getattr(args, "wait", None) == 0 and "--wait" not in str(e)) else ""
        print(f"familycard {args.command}: {e}{wait}", file=sys.stderr)
        return 3
    except Conflict as e:
        print(f"familycard {args.command}: another run kept writing the same records at the same time ({e}); "
              "rerun when it is done", file=sys.stderr)
        return 3
    except (StoreUnavailable, RuleError) as e:
        print(f"familycard: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        if not reader_gone(sys.stdout):
            return unexpected(args)
        return stop_quietly()
    except KeyboardInterrupt:
        print(f"familycard {args.command}: interrupted", file=sys.stderr)
        return 130
    except OSError as e:
        if e.filename is None or args.debug:  # a socket, a driver: not a path the user gave
            return unexpected(args)
        # A file or folder that cannot be read or written (the data folder, --out, the SMS file).
        why = ("is a file, not a folder" if isinstance(e, FileExistsError) and Path(e.filename).is_file()
               else e.strerror or type(e).__name__)
        print(f"familycard {args.command}: '{e.filename}': {why}", file=sys.stderr)
        return 2
    except Exception as e:
        if settings.store == "embedded" and "buffer pool is full" in str(e) and not args.debug:
            # LadybugDB's words name neither the setting nor the size: a configuration to change
            size = settings.ladybug_buffer_pool or "LadybugDB's default, 80 % of the memory"
            print(f"familycard {args.command}: the embedded store's buffer pool ({size}) is too small for this "
                  f"work: give it more with FAMILYCARD_LADYBUG_BUFFER_POOL (e.g. 2g)", file=sys.stderr)
            return 2
        return unexpected(args)


def scrubbed(e: BaseException) -> str:
    """An exception's message, first line, without the values it may quote (IINs, phones)."""
    from familycard.graph.store import scrub_engine_message

    text = str(e).strip()
    return scrub_engine_message(text.splitlines()[0]) if text else type(e).__name__


def unexpected(args) -> int:
    """An error nobody foresaw: the trace with --debug, else one line saying how to get it."""
    if args.debug:
        raise  # noqa: PLE0704 — called from an except block: the error being handled
    e = sys.exc_info()[1]
    print(f"familycard {args.command}: unexpected error: {type(e).__name__}: {scrubbed(e)} "
          f"(run with --debug for the trace)", file=sys.stderr)
    return 1


def reader_gone(stream) -> bool:
    """Whether the reader of ``stream`` has gone (the pipe's write end reports an error), so a
    BrokenPipeError is ``… | head`` and not a socket's."""
    import select

    try:
        poller = select.poll()
        poller.register(stream.fileno(), select.POLLOUT)
        return any(ev & select.POLLERR for _, ev in poller.poll(0))
    except (OSError, ValueError, AttributeError):
        return True


def stop_quietly() -> int:
    """`familycard … | head`: the reader has what it wanted. Stop without a word, as `cat` and
    `git log` do, with the status a shell gives them (128 + SIGPIPE); stdout goes to /dev/null
    so that Python's flush at exit does not complain about the pipe once more."""
    import os
    import signal

    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    return 128 + signal.SIGPIPE
