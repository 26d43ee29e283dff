#!/usr/bin/env python3
"""Runs one command and appends one JSON record of what it cost to a results file.

  measure.py --out RESULTS.jsonl --label '{"kind": "index", "engine": "omindex", ...}' -- CMD...

The record holds the label's fields, the command line, wall seconds, CPU seconds (user + system,
of the command and every child it waited for, from wait4), peak RSS in KiB (the largest single
process), the exit code, and the command's stdout parsed as JSON when it is JSON (the engines'
own summaries and latency lists), else its last line. stderr passes through. With --io, also the
command's read system calls (read, pread...) and bytes read, from /proc/PID/io once it has exited
and before it is reaped: a count of work that does not change with the machine's speed, as wall
time does (the command's own process only, not its children).
"""
import argparse
import json
import os
import shlex
import subprocess
import sys
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--label", default="{}")
    parser.add_argument("--io", action="store_true", help="also count the command's read system calls")
    parser.add_argument("--ok-codes", default="0", help="comma-separated exit codes that count as success")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command and args.command[0] == "--" else args.command
    record = json.loads(args.label)
    record["command"] = shlex.join(command)
    start = time.monotonic()
    child = subprocess.Popen(command, stdout=subprocess.PIPE)
    stdout = child.stdout.read()
    if args.io:
        os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)  # exited, not yet reaped
        with open(f"/proc/{child.pid}/io") as f:
            fields = dict(line.split(": ") for line in f.read().splitlines())
        record["read_syscalls"] = int(fields["syscr"])
        record["read_bytes"] = int(fields["rchar"])
    _, status, usage = os.wait4(child.pid, 0)
    record["wall_s"] = round(time.monotonic() - start, 4)
    record["cpu_s"] = round(usage.ru_utime + usage.ru_stime, 3)
    record["maxrss_kib"] = usage.ru_maxrss
    record["exit_code"] = os.waitstatus_to_exitcode(status)
    text = stdout.decode("utf-8", "replace").strip()
    try:
        record["output"] = json.loads(text) if text else None
    except json.JSONDecodeError:
        record["output"] = text.splitlines()[-1] if text else None
    with open(args.out, "a") as f:
        f.write(json.dumps(record) + "\n")
    ok = {int(c) for c in args.ok_codes.split(",")}
    if record["exit_code"] not in ok:
        print(f"measure.py: exit code {record['exit_code']}: {record['command']}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
