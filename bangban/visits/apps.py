from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "bangban.visits"
    label = "visits"
    verbose_name = "预约与上门服务"

    def ready(self):
        from bangban.cases import events
        from bangban.cases.surge import SurgeDeclared

        from .services import slots_widen_for_surge

        # a site switched into surge: its open slots of the period take more people
        events.subscribe(slots_widen_for_surge, to=SurgeDeclared)
