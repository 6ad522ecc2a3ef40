"""Where a pact is compared, statically, with its provider's OpenAPI document (`static_check.py`):
no provider running, so a mismatch is reported in about a second, before anything is published
or started."""
