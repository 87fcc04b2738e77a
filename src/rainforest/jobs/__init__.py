"""Background work on Django's own Tasks framework (``django.tasks``).

Why the queue lives in the database (``django_tasks_db.DatabaseBackend``) rather than in Redis (RQ):

- Transactional enqueue: a job is a row written by the same connection, so a job enqueued inside a
  business transaction is committed with it or rolled back with it. A notice and the mail that
  announces it cannot disagree, and no ``on_commit`` dance is needed (plain ``.enqueue()`` inside the
  ``transaction.atomic()`` block is already atomic; ``on_commit`` only where a job must not even be
  visible before the commit, which a database queue never makes it anyway).
- Survives restarts: the queue is as durable as the data. RQ keeps queued jobs in Redis, which
  loses them on a restart unless Redis persists to disk, and Redis here is a cache that may go away.
- Nothing extra to operate: the platform already needs its database; backups and replicas carry
  the queue too.

What this app adds on top (``rainforest worker``): retries with exponential backoff
(``retries.attempts``), recovery of jobs left RUNNING by a worker that died (heartbeats and a lease),
periodic jobs declared once in code (``periodic.periodic``), and the failed jobs an administrator sees.
Apps declare their jobs in ``<app>/tasks.py``; the registry finds them there (``periodic.discover``).
This app is the bottom layer: it imports no programme app.
"""
