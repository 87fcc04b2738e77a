"""The deadline-day load scenario (issue 12, item 8): `rainforest bench load`.

Not a Django app. The locustfile speaks HTTP only; the runner prepares a scratch PostgreSQL
database in child processes (the demo city, the load's accounts, an open call), serves it with the
production server, drives it with locust and then checks, through the ORM, that every submission
the server acknowledged is there and intact.
"""
