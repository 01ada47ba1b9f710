"""nbgrader's shared-folder exchange for a class hub, where a student may be an adversary.

The student environment's nbgrader_config.py (written by hubctl) makes nbgrader use these classes:

- ``GuardedCollect``: who submitted is the Unix owner of the entry in ``inbound/``, never the name it
  carries; an entry naming someone else, an entry that is a link, a timestamp in the future, anything
  in it but regular files and folders of its owner (links, FIFOs, devices, another user's hard link),
  more than ``max_files`` files or ``max_bytes`` bytes: the entry is refused, named in the report with
  the reason, and the student's latest acceptable submission is collected instead. Files are read
  through descriptors that never follow a link, checked once before copying and again while copying
  (the student may change the entry meanwhile). The latest submission wins without ``--update``.
- ``PrivateSubmit``: a submission is readable by its student and the instructor's group only.
- ``GuardedReleaseAssignment``: leaves the root-owned exchange root as hubctl made it.
- ``GuardedFetchAssignment`` / ``GuardedFetchFeedback``: a student fetches only from course folders the
  instructor owns and no one else can write.
"""

import datetime
import glob
import json
import os
import pwd
import shutil
import stat

from nbgrader.exchange.default.collect import ExchangeCollect
from nbgrader.exchange.default.exchange import Exchange
from nbgrader.exchange.default.fetch_assignment import ExchangeFetchAssignment
from nbgrader.exchange.default.fetch_feedback import ExchangeFetchFeedback
from nbgrader.exchange.default.release_assignment import ExchangeReleaseAssignment
from nbgrader.exchange.default.submit import ExchangeSubmit
from nbgrader.utils import parse_utc
from traitlets import Int, Unicode

FUTURE_TOLERANCE = datetime.timedelta(minutes=10)  # clocks of one machine; a little slack for the hub's
KINDS = {stat.S_ISLNK: "a symbolic link", stat.S_ISFIFO: "a FIFO", stat.S_ISSOCK: "a socket",
         stat.S_ISCHR: "a character device", stat.S_ISBLK: "a block device"}


class Refused(Exception):
    """A submission entry that is not collected; the message is the reason."""


class Caps:
    def __init__(self, max_files, max_bytes):
        self.max_files, self.max_bytes = max_files, max_bytes
        self.files = self.bytes = 0

    def add(self, relative, size):
        self.files, self.bytes = self.files + 1, self.bytes + size
        if self.files > self.max_files:
            raise Refused(f"more than {self.max_files} files")
        if self.bytes > self.max_bytes:
            raise Refused(f"more than {self.max_bytes} bytes (at {relative})")


def kind_of(mode):
    return next((name for test, name in KINDS.items() if test(mode)), "not a regular file")


def walk_entry(folder, uid, caps, copy_to=None):
    """Check every file under ``folder`` (regular files and folders owned by ``uid`` only, within ``caps``),
    and copy them to ``copy_to`` (mode 600 / 700) if given; raises Refused. Never follows a link."""
    top = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        _walk(top, "", uid, caps, copy_to)
    finally:
        os.close(top)


def _walk(dir_fd, prefix, uid, caps, copy_to):
    if copy_to is not None:
        os.mkdir(copy_to, 0o700)
    for name in sorted(os.listdir(dir_fd)):
        relative = prefix + name
        info = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        if info.st_uid != uid:
            raise Refused(f"{relative} belongs to someone else (uid {info.st_uid})")
        if stat.S_ISDIR(info.st_mode):
            sub = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=dir_fd)
            try:
                _walk(sub, relative + "/", uid, caps, copy_to and os.path.join(copy_to, name))
            finally:
                os.close(sub)
        elif stat.S_ISREG(info.st_mode):
            caps.add(relative, info.st_size)
            if copy_to is not None:
                _copy_file(dir_fd, name, relative, uid, caps, os.path.join(copy_to, name))
        else:
            raise Refused(f"{relative} is {kind_of(info.st_mode)}; only regular files are collected")


def _copy_file(dir_fd, name, relative, uid, caps, dest):
    source = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=dir_fd)
    try:
        info = os.fstat(source)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != uid:
            raise Refused(f"{relative} changed while it was collected")
        allowed = caps.max_bytes - caps.bytes + info.st_size  # what is left of the budget for this file
        with open(source, "rb", closefd=False) as reader, \
                open(os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as writer:
            data = reader.read(allowed + 1)
            if len(data) > allowed:
                raise Refused(f"{relative} grew while it was collected")
            writer.write(data)
    finally:
        os.close(source)


class CollectReport:
    """What collect took and refused, in its log and in ``reports/collect-ASSIGNMENT.json`` (course folder)."""

    report_folder = "reports"

    def refuse(self, entry, reason):
        self.refused.append({"entry": entry, "reason": reason})
        self.log.error("REFUSED %s: %s", entry, reason)

    def write_report(self):
        folder = os.path.join(self.coursedir.root, self.report_folder)
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, f"collect-{self.coursedir.assignment_id}.json")
        report = {"assignment": self.coursedir.assignment_id, "collected": self.collected, "refused": self.refused,
                  "at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")}
        with open(path, "w") as out:
            json.dump(report, out, indent=1)
        if self.refused:
            self.log.warning("%d entries refused (not collected), listed in %s:\n%s", len(self.refused), path,
                             "\n".join(f"  {r['entry']}: {r['reason']}" for r in self.refused))


class GuardedCollect(CollectReport, ExchangeCollect):
    max_files = Int(100, help="most files one submission may hold").tag(config=True)
    max_bytes = Int(20 * 1024 ** 2, help="most bytes one submission may hold").tag(config=True)

    def init_src(self):
        if self.coursedir.course_id == "":
            self.fail("No course id specified. Re-run with --course flag.")
        self.inbound_path = os.path.join(self.root, self.coursedir.course_id, "inbound")
        if not os.path.isdir(self.inbound_path):
            self.fail(f"Course not found: {self.inbound_path}")
        self.refused, self.collected, latest = [], [], {}
        student = self.coursedir.student_id or "*"  # a pattern, as in nbgrader
        pattern = os.path.join(self.inbound_path, f"{student}+{glob.escape(self.coursedir.assignment_id)}+*")
        for path in glob.glob(pattern):
            try:
                record = self.checked_record(path)
            except Refused as reason:
                self.refuse(os.path.basename(path), str(reason))
                continue
            kept = latest.get(record["username"])
            if kept is None or record["timestamp"] > kept["timestamp"]:
                latest[record["username"]] = record
        self.src_records = [latest[name] for name in sorted(latest)]

    def checked_record(self, path):
        """The entry's student, timestamp and owner, after every check short of copying; raises Refused."""
        filename = os.path.basename(path)
        parts = filename.rsplit("+", 3)
        if len(parts) != 4 or parts[1] != self.coursedir.assignment_id:
            raise Refused("not named STUDENT+ASSIGNMENT+TIMESTAMP+RANDOM as nbgrader submit names it")
        info = os.lstat(path)
        if not stat.S_ISDIR(info.st_mode):
            raise Refused(f"the entry is {kind_of(info.st_mode)}, not a folder")
        try:
            owner = pwd.getpwuid(info.st_uid).pw_name
        except KeyError:
            owner = f"uid {info.st_uid}"
        if owner != parts[0]:
            raise Refused(f"it names {parts[0]} but belongs to {owner}; a submission counts only for its owner")
        try:
            timestamp = parse_utc(parts[2])
        except (ValueError, OverflowError):
            raise Refused(f"unreadable timestamp {parts[2]!r}") from None
        now = datetime.datetime.now(datetime.UTC)
        if timestamp.replace(tzinfo=timestamp.tzinfo or datetime.UTC) > now + FUTURE_TOLERANCE:
            raise Refused(f"its timestamp {parts[2]} is in the future")
        walk_entry(path, info.st_uid, self.caps())
        return {"username": owner, "filename": filename, "timestamp": timestamp, "uid": info.st_uid}

    def caps(self):
        return Caps(self.max_files, self.max_bytes)


    def copy_files(self):
        """Latest acceptable submission of each student, copied into submitted/ in place of an older one."""
        for record in self.src_records:
            student, assignment = record["username"], self.coursedir.assignment_id
            dest = self.coursedir.format_path(self.coursedir.submitted_directory, student, assignment)
            existing = self.coursedir.get_existing_timestamp(dest) if os.path.isdir(dest) else None
            if existing is not None and record["timestamp"] <= existing:
                self.log.info("No newer submission to collect: %s %s", student, assignment)
                continue
            os.makedirs(os.path.dirname(dest), mode=0o700, exist_ok=True)
            incoming, replaced = dest + ".collecting", dest + ".replaced"
            for leftover in (incoming, replaced):
                shutil.rmtree(leftover, ignore_errors=True)
            try:
                walk_entry(os.path.join(self.inbound_path, record["filename"]), record["uid"], self.caps(), incoming)
            except (Refused, OSError) as reason:
                shutil.rmtree(incoming, ignore_errors=True)
                self.refuse(record["filename"], str(reason))
                continue
            if existing is not None or os.path.isdir(dest):
                os.rename(dest, replaced)
            os.rename(incoming, dest)
            shutil.rmtree(replaced, ignore_errors=True)
            self.collected.append(student)
            self.log.info("%s submission: %s %s (%s)", "Updated" if existing else "Collected", student, assignment,
                          record["filename"].rsplit("+", 3)[2])
        self.write_report()

class PrivateSubmit(ExchangeSubmit):
    """nbgrader leaves a submission folder mode 0777, hidden only by its random name. Here its folders are
    0750: inbound/ is setgid, so the submission folder's group is the instructor's, and no other student
    can enter it (its files stay 0644: a student cannot give a file to a group they are not in)."""

    def copy_files(self):
        super().copy_files()
        self.set_perms(os.path.join(self.inbound_path, self.assignment_filename), fileperms=0o644, dirperms=0o750)


class GuardedReleaseAssignment(ExchangeReleaseAssignment):
    def ensure_root(self):
        """The exchange root is root's, mode 1777, made by hubctl: nothing to create or change here."""
        if not os.path.isdir(self.root):
            self.fail(f"The exchange {self.root} is missing: run `hubctl.py setup` as root.")


class TrustedCourseFolders(Exchange):
    """Before reading a course folder of the exchange, check that the instructor owns it and
    its parents and that no one else can write or replace them."""

    instructor = Unicode("", help="the instructor's Unix user (who must own the course's folders)").tag(config=True)

    def check_trusted(self, *folders):
        if not self.instructor:
            return
        uid = pwd.getpwnam(self.instructor).pw_uid
        root = os.lstat(self.root)
        if root.st_uid != 0 or (root.st_mode & 0o002 and not root.st_mode & stat.S_ISVTX):
            self.fail(f"The exchange {self.root} is not root's or lacks its sticky bit: ask your instructor.")
        for folder in folders:
            info = os.lstat(folder)
            if not stat.S_ISDIR(info.st_mode) or info.st_uid != uid or info.st_mode & 0o022:
                self.fail(f"{folder} is not {self.instructor}'s own folder: not fetched. Tell your instructor.")


class GuardedFetchAssignment(TrustedCourseFolders, ExchangeFetchAssignment):
    def init_src(self):
        super().init_src()
        self.check_trusted(self.course_path, self.outbound_path, self.src_path)


class GuardedFetchFeedback(TrustedCourseFolders, ExchangeFetchFeedback):
    def init_src(self):
        super().init_src()
        course = os.path.join(self.root, self.coursedir.course_id)
        self.check_trusted(course, os.path.join(course, "feedback"))
