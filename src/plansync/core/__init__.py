"""The planning core: templates and an athlete profile in, a dated :class:`Plan` out.

Pure and deterministic: no clock, no network, no files. Everything above it
(inputs, calendars, publishing, adapters, the service, the CLI) may import it;
it imports nothing from them (an import-linter contract in pyproject.toml).
"""
