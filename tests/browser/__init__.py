"""Browser tests: the web client in Chromium against a real server."""
