"""Provider contracts: a provider's OpenAPI document, published with evidence that the provider
honours it (self-verification), and every consumer pact compared with it.

`comparison/` is the engine (a pact and an OpenAPI document in, PactFlow-compatible result codes
out); it imports nothing from the database so a command line can load it in milliseconds. The
storage and the publish logic sit beside it, like every other broker domain.
"""
