"""The years the platform holds: the registry's facts reach back to 2000, the programmes' targets
look ahead to 2030 and beyond. A year outside is a typing error, never data."""

PLATFORM_YEARS = range(2000, 2101)
YEAR_BOUNDS = {"first": PLATFORM_YEARS[0], "last": PLATFORM_YEARS[-1]}  # for messages
