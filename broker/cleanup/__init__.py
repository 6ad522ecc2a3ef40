"""Deleting what a long-lived broker no longer needs, like the official broker's `clean` task."""
