"""intervals.icu through its public API: the adapter, its HTTP client and the workout text."""
