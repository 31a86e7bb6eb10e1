"""Calendars: one event model rendered to RFC 5545 bytes, the identity that keeps
SEQUENCE and LAST-MODIFIED stable, subscription feeds and the small feed server.
"""
