from django.apps import AppConfig


class OfflineConfig(AppConfig):
    name = "bangban.offline"
    verbose_name = "离线工作"
