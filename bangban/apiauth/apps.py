from django.apps import AppConfig


class ApiAuthConfig(AppConfig):
    name = "bangban.apiauth"
    label = "apiauth"
    verbose_name = "接口令牌"
