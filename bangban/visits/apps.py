from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "bangban.visits"
    label = "visits"
    verbose_name = "预约与上门服务"
