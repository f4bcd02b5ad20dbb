"""Partners: the provincial platform's and departments' systems (issue 16, item 2).

- ``models``: the partner (key, scopes, sites), the outbound deliveries and their receipts,
  the inbound reports and the signatures seen inside the replay window;
- ``signing``: HMAC-SHA256 over ``timestamp + "." + body``, both ways;
- ``outbox``: ``enqueue_delivery`` (any area: in the caller's transaction, once per key);
- ``delivery``: the job that POSTs what is due, with retries, back-off and a dead letter;
- ``subscribers``: case events to the partners that subscribed;
- ``inbound``: a department's progress report, moved through ``case_transition``.
"""
