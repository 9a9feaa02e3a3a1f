"""Use cases. Each takes a Session, raises DomainError, and never commits."""
