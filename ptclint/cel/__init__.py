"""CEL for ptclint rules: `runtime` (celpy, no domain) and `functions` (the table rules may call)."""
