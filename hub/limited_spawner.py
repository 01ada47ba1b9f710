"""JupyterHub's LocalProcessSpawner with per-user limits and a clean stop (hub/limits.py).

Each server starts in its user's cgroups (memory and process caps) with a per-file size cap
(RLIMIT_FSIZE: no single file a student writes, in the exchange or anywhere, exceeds it); when
the server stops, every process left in those groups is killed (detached and renamed ones too)
and the user's files in /dev/shm are removed. Users in ``unlimited_users`` (the instructor) get the
groups and the clean stop without the caps. Where no cgroup controller is mounted, students get
RLIMIT_NPROC instead of the pids group and the stop kills every process of their uid.
"""

import asyncio
import pwd
import resource

import limits
from jupyterhub.spawner import LocalProcessSpawner
from traitlets import Int, Set


class LimitedSpawner(LocalProcessSpawner):
    memory_limit_bytes = Int(2 * 1024 ** 3, help="RAM of one user's server, its kernels and /dev/shm files").tag(
        config=True)
    process_limit = Int(256, help="processes (and threads) of one user's server").tag(config=True)
    file_size_limit_bytes = Int(100 * 1024 ** 2, help="largest file a user's processes may write").tag(config=True)
    unlimited_users = Set(help="users whose servers get no caps (the instructor)").tag(config=True)

    def limited(self):
        return self.user.name not in self.unlimited_users

    def groups(self):
        return limits.UserGroups(self.user.name)

    def make_preexec_fn(self, name):
        drop_to_user = super().make_preexec_fn(name)
        groups, limited = self.groups(), self.limited()
        file_size, processes = self.file_size_limit_bytes, self.process_limit
        no_pids_group = "pids" not in limits.available()

        def preexec():
            groups.join()
            if limited:
                resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))
                if no_pids_group:
                    resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))
            drop_to_user()

        return preexec

    async def start(self):
        await asyncio.to_thread(self.sweep)  # whatever a crashed server left behind
        in_force = self.groups().create(self.memory_limit_bytes if self.limited() else None,
                                        self.process_limit if self.limited() else None)
        self.log.info("%s's server: limits %s", self.user.name, in_force or "none")
        return await super().start()

    async def stop(self, now=False):
        await super().stop(now=now)
        killed, removed = await asyncio.to_thread(self.sweep)
        if killed or removed:
            self.log.info("%s's server stopped: %d leftover processes killed, %d files removed from /dev/shm",
                          self.user.name, killed, removed)

    def sweep(self):
        """Kill every process of the user's server; remove the user's /dev/shm files (students)."""
        uid = pwd.getpwnam(self.user.name).pw_uid
        killed = self.groups().kill_all()
        if not limits.available() and self.limited():
            killed += limits.kill_user_processes(uid)
        removed = limits.remove_shared_memory_files(uid) if self.limited() else 0
        return killed, removed
