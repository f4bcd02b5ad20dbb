"""The oversight records: evaluations, rectifications, complaints, return visits and
inspections, with their rules, services and pages.

The records know nothing of the figures (``bangban.oversight.figures``), which count them:
``.importlinter`` holds this (contract ``oversight``). When a record changes what a figure
counts without a case event, it publishes a message (``messages.py``).
"""
