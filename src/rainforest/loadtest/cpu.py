"""Where the machine's CPU went during the load: the web server's processes, the scratch database's
PostgreSQL backends, Redis, locust itself, and everything else on the machine (other people's
work on a shared machine shows up there, by process name)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import psutil


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def _snapshot() -> dict[tuple[int, float], tuple[str, str, float]]:
    """(pid, start time) -> (name, command line, CPU seconds so far) for every process."""
    out = {}
    for process in psutil.process_iter(["name", "cmdline", "create_time"]):
        try:
            info = process.info
            out[(process.pid, info["create_time"])] = (
                info["name"] or "",
                " ".join(info["cmdline"] or []),
                _cpu(process),
            )
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return out


def _busy() -> float:
    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0.0)


@dataclass
class CpuShare:
    seconds: float  # wall time watched
    cores: int
    busy: float  # CPU seconds the machine spent, all processes
    groups: dict[str, float]  # CPU seconds per group of ours
    others: list[tuple[str, float]]  # the busiest other processes

    @property
    def others_share(self) -> float:
        """The share of the machine's capacity other processes took: above a few per cent the figures
        are not this server's alone."""
        return max(0.0, self.busy - sum(self.groups.values())) / (self.seconds * self.cores)

    def lines(self) -> list[str]:
        capacity = self.seconds * self.cores
        out = [
            f"machine: {self.busy:.0f} CPU-s of {capacity:.0f} available ({self.busy / capacity:.0%} busy, "
            f"{self.cores} cores, {self.seconds:.0f} s)"
        ]
        ours = sum(self.groups.values())
        for name, spent in [*self.groups.items(), ("everything else", max(0.0, self.busy - ours))]:
            out.append(f"  {name:<28} {spent:>7.1f} CPU-s  {spent / capacity:>5.0%} of the machine")
        for name, spent in self.others:
            out.append(f"    of which {name[:60]:<60} {spent:>6.1f} CPU-s")
        return out


class CpuWatch:
    """CPU seconds by group between ``start`` and ``stop``; groups are named by a function of the
    process (its pid, name and command line) that returns a group name or ``None`` for others.

    Processes are read every second as well, so that those that end before ``stop`` (a database
    connection closed after its maximum age) still count up to their last reading."""

    def __init__(self, classify, every: float = 1.0):
        self.classify = classify
        self.every = every

    def start(self) -> None:
        self.t0, self.busy0, self.before = time.monotonic(), _busy(), _snapshot()
        self.latest = dict(self.before)
        self._stopping = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while not self._stopping.wait(self.every):
            self.latest.update(_snapshot())

    def stop(self, ended: dict[str, float] | None = None) -> CpuShare:
        """``ended``: CPU seconds of groups whose processes have already exited, counted whole (their
        rusage) rather than from the readings."""
        self._stopping.set()
        self._reader.join()
        seconds, busy = time.monotonic() - self.t0, _busy() - self.busy0
        self.latest.update(_snapshot())
        groups: dict[str, float] = dict(ended or {})
        others: dict[str, float] = {}
        for key, (name, cmdline, total) in self.latest.items():
            spent = total - self.before[key][2] if key in self.before else total
            group = self.classify(key[0], name, cmdline)
            if group in groups and group in (ended or {}):
                continue  # counted whole from its rusage
            if group:
                groups[group] = groups.get(group, 0.0) + spent
            elif spent > 0.5:
                label = cmdline[:60] or name
                others[label] = others.get(label, 0.0) + spent
        busiest = sorted(others.items(), key=lambda item: -item[1])[:4]
        return CpuShare(seconds, psutil.cpu_count() or 1, busy, groups, busiest)
