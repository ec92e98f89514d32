"""Root conftest: the shared fixtures for every suite live in qingshan_core's pytest plugin."""

pytest_plugins = ["qingshan_core.testing.pytest_plugin"]
