"""Tousu Radar (投诉雷达): internet complaint monitoring for a telecom operator."""

__version__ = "0.1.0"
