"""Solo60: the internal services, their contracts and clients, and the contract harness around them."""

__version__ = "0.1.0"
