"""Root conftest: the shared fixtures for every suite live in qingshan_core's pytest plugins
(the browser's in a plugin of its own)."""

pytest_plugins = ["qingshan_core.testing.pytest_plugin", "qingshan_core.testing.browser"]
