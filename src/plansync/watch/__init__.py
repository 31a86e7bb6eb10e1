"""Watch files: the plan as FIT workout files (``fit``), written to folders (``export``)."""
