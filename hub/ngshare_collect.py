"""nbgrader's collect from ngshare, with the caps of the shared-folder exchange (hub/course_exchange.py).

ngshare knows who submitted from the hub (the user's token), stores files as content (no links, no
devices) and refuses paths that leave the submission (``..``, absolute). On top of that, collect here
refuses a submission with more than ``max_files`` files or ``max_bytes`` bytes, a path that is not a
plain relative one, or a student id that is not a plain name, with the reason in the collect report;
and takes the latest submission without ``--update``. Configured by hubctl for ``--exchange ngshare``.
"""

import base64
import binascii
import os
import re

from course_exchange import Caps, CollectReport, Refused
from ngshare_exchange.collect import ExchangeCollect
from traitlets import Bool, Int

PLAIN_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.@-]*$")


def checked_path(path):
    parts = path.split("/")
    if path.startswith("/") or any(part in ("", ".", "..") for part in parts):
        raise Refused(f"path {path!r} is not a plain relative path")
    return os.path.join(*parts)


class GuardedNgshareCollect(CollectReport, ExchangeCollect):
    max_files = Int(100, help="most files one submission may hold").tag(config=True)
    max_bytes = Int(20 * 1024 ** 2, help="most bytes one submission may hold").tag(config=True)
    update = Bool(True, help="collect a newer submission in place of the one collected before").tag(config=True)

    def init_src(self):
        """Each student's latest submission, checked before anything is copied: a refused one is dropped, so
        the submission collected before stays."""
        super().init_src()
        self.refused, self.collected, self.checked = [], [], {}
        kept = []
        for record in self.src_records:
            student = record["student_id"]
            try:
                if not PLAIN_NAME.match(student):
                    raise Refused("not a plain student id")
                submission = super()._get_submission(self.coursedir.course_id, self.coursedir.assignment_id, student)
                if submission is None:
                    raise Refused("ngshare did not hand out the submission")
                self.checked[student] = {"timestamp": submission["timestamp"],
                                         "files": self.checked_files(submission["files"])}
                kept.append(record)
            except Refused as reason:
                self.refuse(f"{student}'s submission of {record['timestamp']}", str(reason))
        self.src_records = kept

    def checked_files(self, files):
        """``[(relative path, bytes)]`` of a submission's files (a path given twice: the last one, as the
        timestamp.txt collect adds from ngshare's own record); raises Refused."""
        caps, decoded = Caps(self.max_files, self.max_bytes), {}
        for entry in files:
            relative = checked_path(entry["path"])
            try:
                content = base64.b64decode(entry["content"])
            except (binascii.Error, TypeError, ValueError):
                raise Refused(f"{relative} is not base64 content") from None
            caps.add(relative, len(content))
            decoded[relative] = content
        return list(decoded.items())

    def _get_submission(self, course_id, assignment_id, student_id):
        return self.checked[student_id]  # as checked in init_src: not downloaded again

    def copy_files(self):
        super().copy_files()
        self.write_report()

    def do_copy(self, files, dest):
        """Write the checked files (mode 600, folders 700), never through a link."""
        os.makedirs(dest, mode=0o700)
        for relative, content in files:
            target = os.path.join(dest, relative)
            os.makedirs(os.path.dirname(target), mode=0o700, exist_ok=True)
            with open(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600), "wb") as out:
                out.write(content)
        self.collected.append(os.path.basename(os.path.dirname(dest)))
