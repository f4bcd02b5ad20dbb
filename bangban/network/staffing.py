"""How many agents a service site must have (seed 002 二(二)：每个服务点至少配备2名帮办代办员).

Lives with the network so its admin can show it; ``bangban.staff.selectors`` counts against it.
"""

MIN_AGENTS_PER_SITE = 2
