"""Test support shared by every service's suite (a pytest plugin; see pytest_plugin.py)."""
