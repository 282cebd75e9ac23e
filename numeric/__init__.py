"""Numeric (numpy-only) side of derive: functions, finite differences, comparison, documents."""
