"""Every change in the exchange, one service per state change (see workflows.py for who may move what)."""
