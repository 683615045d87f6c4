"""Rule declarations, one module per RULES.md section."""
