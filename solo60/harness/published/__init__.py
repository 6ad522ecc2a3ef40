"""Where a pact is published: `publish.py` puts the pacts a complete run made into the broker."""
