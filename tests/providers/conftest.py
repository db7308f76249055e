"""Provider tests share the root conftest's `no_network` guard."""
