"""Publishing through adapters: the plan-then-apply sync engine, the status of
each athlete against the 24-hour promise, and batches of athletes.
"""
