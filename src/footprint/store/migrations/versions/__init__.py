"""Numbered schema revisions (0001_..., 0002_...). Never edit one that has shipped: add the next."""
