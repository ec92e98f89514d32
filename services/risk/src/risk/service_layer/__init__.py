"""Use cases of the risk service: each loads aggregates through a port, applies one domain
action, and saves state and events in one write. No I/O framework is imported here; the
adapters implement the ports (ports.py)."""
