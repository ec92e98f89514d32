"""Adapters: Mongo documents for the aggregates, the outbox-backed stores, event mapping."""
