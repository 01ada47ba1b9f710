"""A worker's result, sent to the batch as one JSON object over a pipe: no pickle, and checked.

The worker grades a student's code, so the batch treats what it sends as a claim: it reads at
most ``MAX_BYTES``, decodes JSON only, and keeps only the expected fields with the expected
types (scores as finite numbers; the merge clamps them to their cells' points). The pipe is the
worker's own: a grading kernel, in its own PID namespace, cannot reach it through ``/proc``.
"""

import json
import math
import os
import select

MAX_BYTES = 1 << 20
NUMBERS = ("seconds", "entered_at", "prepare", "ahead", "cpu")


def send(fd, result):
    """Write ``result`` (a JSON-able dict) to the pipe ``fd`` and close it."""
    data = json.dumps(result).encode()
    with open(fd, "wb", closefd=True) as pipe:
        pipe.write(data)


def receive(fd):
    """What the worker sent on ``fd`` (read once it has ended), checked; None if nothing usable came."""
    chunks, size = [], 0
    os.set_blocking(fd, False)
    try:
        while size <= MAX_BYTES:
            try:
                chunk = os.read(fd, 65536)
            except BlockingIOError:
                break
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(fd)
    if size > MAX_BYTES:
        return None
    try:
        return checked(json.loads(b"".join(chunks)))
    except (ValueError, TypeError, AttributeError):
        return None


def number(value):
    return float(value) if isinstance(value, (int, float)) and math.isfinite(value) else 0.0


def checked(raw):
    """The fields the batch uses, with their types enforced."""
    result = {"ok": raw.get("ok") is True, "reason": str(raw.get("reason", ""))[:300]}
    result |= {name: number(raw.get(name, 0.0)) for name in NUMBERS}
    scores = raw.get("scores")
    if isinstance(scores, dict):
        result["scores"] = {str(key)[:200]: number(value) for key, value in list(scores.items())[:10_000]}
    return result


def go(fd):
    """The batch's signal that a worker may start grading (one byte), then the pipe is closed."""
    try:
        os.write(fd, b"g")
    except OSError:  # a worker that already ended is collected by the batch
        pass
    os.close(fd)


def wait_for_go(fd):
    """Block until the batch's signal; return True if it had already come (the batch was waiting)."""
    late = bool(select.select([fd], [], [], 0)[0])
    os.read(fd, 1)
    os.close(fd)
    return late
