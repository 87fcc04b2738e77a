"""Every write of the Seedling programme: one transaction with its audit record."""
