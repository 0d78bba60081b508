"""Warnings (分级预警): rules that raise alerts, an outbox, and notifiers that deliver them."""
