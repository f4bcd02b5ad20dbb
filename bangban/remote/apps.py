from django.apps import AppConfig


class RemoteConfig(AppConfig):
    name = "bangban.remote"
    label = "remote"
    verbose_name = "远程帮办"
