"""Governance: project policy, data-use checks, spend, consent, credentials, audit."""
