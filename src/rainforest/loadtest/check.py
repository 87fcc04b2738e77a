"""After the load: every submission the server acknowledged is in the database, submitted, with the
text that was sent (or a later send's), the receipt the enterprise was shown, and attachments whose
stored bytes are the bytes that were uploaded.

Read through the ORM on a connection alias added for the scratch database, so the calling process
keeps its own default database (the bench command's, or a test's).
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

FIELDS = ("approach", "plan", "budget", "team")


@dataclass
class Verdict:
    acknowledged: int = 0  # sends the server answered with a receipt
    unanswered: int = 0  # sends without that answer (failed or cut off at the end of the run)
    applications: int = 0
    attachments: int = 0  # acknowledged attachments whose stored bytes were read and compared
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@contextlib.contextmanager
def scratch_alias(url: str) -> Iterator[str]:
    """A database alias of its own for ``url``, for the duration of the block."""
    import dj_database_url
    from django.db import connections

    alias = f"loadtest_{secrets.token_hex(4)}"
    connections.settings[alias] = dj_database_url.parse(url)
    connections.configure_settings(connections.settings)
    try:
        yield alias
    finally:
        connections[alias].close()
        del connections[alias]
        del connections.settings[alias]


def verify(submissions: list[dict], *, alias: str, call_id: int, media_root: Path) -> Verdict:
    verdict = Verdict()
    by_org: dict[int, list[dict]] = {}
    for sent in submissions:
        by_org.setdefault(sent["organisation_id"], []).append(sent)
        verdict.acknowledged += sent["acked"]
        verdict.unanswered += not sent["acked"]
    for sends in by_org.values():
        if any(s["acked"] for s in sends):
            verdict.applications += 1
            verdict.problems += _check_one(verdict, sends, alias=alias, call_id=call_id, media_root=media_root)
    if not verdict.acknowledged:
        verdict.problems.append("no submission was acknowledged, so nothing could be checked")
    return verdict


def _check_one(verdict: Verdict, sends: list[dict], *, alias: str, call_id: int, media_root: Path) -> list[str]:
    from rainforest.exchange.choices import ApplicationStatus
    from rainforest.exchange.models import Application, Attachment

    who = sends[0]["user"]
    live = Application.objects.using(alias).filter(call_id=call_id, applicant_id=sends[0]["organisation_id"])
    application = live.exclude(status=ApplicationStatus.WITHDRAWN).first()
    if application is None:
        return [f"{who}: {sum(s['acked'] for s in sends)} acknowledged send(s), but no application in the database"]
    problems = []
    if application.status != ApplicationStatus.SUBMITTED:
        problems.append(f"{who}: application {application.pk} is {application.status}, not submitted")
    last = max(i for i, s in enumerate(sends) if s["acked"])
    # The last acknowledged send, unless a later one reached the server without its answer arriving.
    stored = {f: str(getattr(application, f)) for f in FIELDS}
    held = next((s for s in reversed(sends[last:]) if s["fields"] == stored), None)
    if held is None:
        changed = [f for f in FIELDS if stored[f] != sends[last]["fields"][f]]
        problems.append(f"{who}: application {application.pk} differs from what was sent in {', '.join(changed)}")
    elif (
        held["acked"]
        and "digest" in held
        and (application.receipt_no, application.digest)
        != (
            held["receipt_no"],
            held["digest"],
        )
    ):
        problems.append(f"{who}: application {application.pk}'s receipt or digest is not the one the receipt showed")
    stored_files = {
        a.sha256: a for a in Attachment.objects.using(alias).filter(owner_type="application", owner_id=application.pk)
    }
    for sent in (s for s in sends if s["acked"]):
        problem = _check_file(stored_files.get(sent["sha256"]), sent, media_root)
        verdict.attachments += problem is None
        if problem:
            problems.append(f"{who}: application {application.pk}: {problem}")
    return problems


def _check_file(attachment, sent: dict, media_root: Path) -> str | None:
    if attachment is None:
        return f"the attachment {sent['sha256'][:12]}… that was acknowledged is missing"
    path = media_root / attachment.file.name
    if not path.is_file():
        return f"attachment {attachment.pk}'s file is missing"
    data = path.read_bytes()
    if len(data) != sent["size"] or hashlib.sha256(data).hexdigest() != sent["sha256"]:
        return f"attachment {attachment.pk}'s stored bytes are not the bytes uploaded"
    return None
