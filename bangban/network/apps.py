from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "bangban.network"
    label = "network"
    verbose_name = "服务网络"
