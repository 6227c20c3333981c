#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# End-to-end test of the shell: boots SYSTEM=default in QEMU, types commands, checks the answers.
#
# Prints PASS/FAIL per check and a final "N passed, N failed"; exit status 1 on any failure.
import importlib.util
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
# tools/test.py holds the QEMU plumbing (it cannot be imported as "test": that is a stdlib package).
_spec = importlib.util.spec_from_file_location("stellina_test", ROOT / "tools" / "test.py")
runner = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(runner)

PROMPT = "stellina> "
BOOT_TIMEOUT = 120    # seconds until the first prompt
COMMAND_TIMEOUT = 30  # seconds for one command's answer (the next prompt)
FIRST_PROMPT_WAIT = 5 # seconds before asking for a fresh prompt
QUIET = 0.7           # seconds without console output that mean "the shell waits for input"

# command -> (what the answer must show, regex searched in the answer)
CHECKS = [
    ("help", "lists the commands", r"(?s)(?=.*\bps\b)(?=.*\bmem\b)(?=.*\buptime\b)(?=.*\blog\b)"),
    ("ps", "lists shell and echo with a thread state",
     r"(?is)(?=.*\bshell\b)(?=.*\becho\b)"
     r"(?=.*\b(runnable|running|blocked|exited|ready|waiting)\b)"),
    ("mem", "prints free and a number", r"(?i)free\D{0,40}\d+"),
    ("uptime", "prints the time since boot, the idle share and the CPUs",
     r"up \d+\.\d{3} s, \d{1,3}% idle, 1 of \d+ CPUs running"),
    ("log", "shows the kernel banner", r"Stellina"),
    ("nosuchcmd", "reports an unknown command", r"unknown command"),
    ("echo hello stellina", "gets the echo server's answer", r"(?m)^hello stellina\s*$"),
    ("kill nosuch", "reports that there is no such instance", r"kill: nosuch: ERR_NOT_FOUND"),
    ("kill echo", "has init end the echo server", r"(?m)^killed echo\s*$"),
]


def main():
    args = runner.e2e_args()
    checks = runner.Checks()
    if not checks.build(args.arch, "default", f"build-{args.arch}-default.log"):
        return checks.finish()

    cmd = runner.qemu_command(args.arch, "default")
    guest = runner.Guest(cmd, subprocess.PIPE, runner.LOG_DIR / f"e2e-shell-{args.arch}.log")
    try:
        # Boot is done when the prompt is up and the console has gone quiet
        # (other components print at start too); an empty line then gives a
        # fresh prompt at the very end of the output.
        pos = None
        if guest.wait_for(PROMPT, BOOT_TIMEOUT) and guest.wait_idle("", QUIET, COMMAND_TIMEOUT):
            guest.send("\r")
            pos = guest.wait_idle(PROMPT, QUIET, COMMAND_TIMEOUT)
        if pos is None:
            checks.fail("boot", f"no quiet prompt '{PROMPT}' within {BOOT_TIMEOUT} s")
        else:
            checks.ok("boot")
            for command, what, pattern in CHECKS:
                guest.send(command + "\r")
                # The answer is everything up to the prompt the console ends
                # with once quiet: an answer may itself contain the prompt
                # text (log replays the console).
                end = guest.wait_idle(PROMPT, QUIET, FIRST_PROMPT_WAIT)
                if end is None:
                    # Kernel log lines (e.g. init restarting what `kill` ended)
                    # may follow the prompt: an empty line gets a fresh one.
                    guest.send("\r")
                    end = guest.wait_idle(PROMPT, QUIET, COMMAND_TIMEOUT)
                if end is None:
                    checks.fail(command, f"no prompt after it within {COMMAND_TIMEOUT} s")
                    break  # the shell is stuck: the remaining commands would only time out
                answer = guest.output()[pos:end - len(PROMPT)]
                # Drop the echoed command line itself.
                answer = answer.split("\n", 1)[1] if "\n" in answer else ""
                pos = end
                if runner.re.search(pattern, answer):
                    checks.ok(command)
                else:
                    checks.fail(command, f"expected it to {what}; got {answer.strip()!r:.300}")
    finally:
        guest.stop()
    return checks.finish(guest.output())


if __name__ == "__main__":
    sys.exit(main())
