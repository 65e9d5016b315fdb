"""The rules of the catalogue: row rules (vectorised, run through pandera) and cross-table rules."""
