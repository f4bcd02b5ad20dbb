from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "bangban.clients"
    label = "clients"
    verbose_name = "服务对象"
