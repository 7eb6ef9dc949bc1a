"""Early warning ("Aandacht nodig"): who is slipping away, and getting in touch personally."""
