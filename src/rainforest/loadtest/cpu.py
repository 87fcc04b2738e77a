"""Where the machine's CPU went during the load: the web server's processes, the scratch database's
PostgreSQL backends, Redis, locust itself, and everything else on the machine (other people's
work on a shared machine shows up there, by process name)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import psutil


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def _snapshot() -> dict[int, tuple[str, str, float]]:
    out = {}
    for process in psutil.process_iter(["name", "cmdline"]):
        try:
            out[process.pid] = (process.info["name"] or "", " ".join(process.info["cmdline"] or []), _cpu(process))
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
    process (its pid, name and command line) that returns a group name or ``None`` for others."""

    def __init__(self, classify):
        self.classify = classify

    def start(self) -> None:
        self.t0, self.busy0, self.before = time.monotonic(), _busy(), _snapshot()

    def stop(self, ended: dict[str, float] | None = None) -> CpuShare:
        """``ended``: CPU seconds of groups whose processes have already exited (from their rusage)."""
        seconds, busy, after = time.monotonic() - self.t0, _busy() - self.busy0, _snapshot()
        groups: dict[str, float] = dict(ended or {})
        others: dict[str, float] = {}
        for pid, (name, cmdline, total) in after.items():
            previous = self.before.get(pid)
            spent = total - previous[2] if previous and previous[:2] == (name, cmdline) else total
            group = self.classify(pid, name, cmdline)
            if group:
                groups[group] = groups.get(group, 0.0) + spent
            elif spent > 0.5:
                label = cmdline[:60] or name
                others[label] = others.get(label, 0.0) + spent
        busiest = sorted(others.items(), key=lambda item: -item[1])[:4]
        return CpuShare(seconds, psutil.cpu_count() or 1, busy, groups, busiest)
