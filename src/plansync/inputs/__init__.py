"""What coaches write, read safely: YAML profiles and templates, the workspace's
plansync.toml, the intake answers, and ``validate``'s dry-run matrix.

Every problem becomes an :class:`~plansync.errors.InputError` located at a
file, line, column and key.
"""
