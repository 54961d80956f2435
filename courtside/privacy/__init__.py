"""Privacy with user agreements (practice 10): consent registry, pseudonyms, log redaction and erasure.

Modules: :mod:`pseudonym` (keyed HMAC of user ids), :mod:`redact` (log scrubbing), :mod:`consent` (registry,
`capture_allowed`), :mod:`erasure` (right to erasure with an audit report). See docs/privacy.md.
"""
