"""Sinks: where verdict records go (terminal, JSON/JSONL, HTML report, history store)."""
