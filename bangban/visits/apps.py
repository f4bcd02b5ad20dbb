from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "bangban.visits"
    label = "visits"
    verbose_name = "预约与上门服务"

    def ready(self):
        from bangban.cases import events
        from bangban.cases.surge import SurgeChanged, SurgeDeclared

        from .services import slots_follow_surge_change, slots_widen_for_surge

        # a site switched into surge: its open slots of the period take more people
        events.subscribe(slots_widen_for_surge, to=SurgeDeclared)
        # its end or extra places changed: the slots after a new end fall back, and so on
        events.subscribe(slots_follow_surge_change, to=SurgeChanged)
