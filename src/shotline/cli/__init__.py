"""The `shotline` command."""
