"""Tables of this area (filled in by the issues that build it)."""
