"""Rainforest (雨林): an open platform that runs a city's innovation ecosystem."""

__version__ = "0.1.0"
