"""Providers: the protocols generative models are called through, the registry that
finds them (entry-point group `shotline.providers`), routing under the project's
policy, and the built-in providers."""
