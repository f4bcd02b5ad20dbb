from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from bangban.api import api
from bangban.health import healthz
from bangban.offline import views as offline_views

admin.site.site_header = "帮办代办服务平台 · 管理后台"
admin.site.site_title = "帮办代办管理后台"
admin.site.index_title = "基础数据管理"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("documents/", include("bangban.documents.urls")),
    path("notifications/", include("bangban.notifications.urls")),
    path("oversight/", include("bangban.oversight.urls")),
    path("work/remote/", include("bangban.remote.urls")),
    path("work/sw.js", offline_views.service_worker, name="offline-sw"),  # scope /work/
    path("work/offline/", include("bangban.offline.urls")),
    path("work/preparedness/", include("bangban.preparedness.urls")),
    path("work/", include("bangban.workbench.urls")),
    path("remote/sessions/", include("bangban.remote.session_views")),
    path("", include("bangban.portal.urls")),
]
if settings.BENCH_CEILING:  # the scale bench's yardstick only (bangban/benchmode.py)
    urlpatterns.insert(0, path("bench/", include("bangban.benchmode")))

# No route serves MEDIA_ROOT, not even with DEBUG on: uploaded materials and printed forms
# hold personal data, so every file goes out through a view that checks who may have it
# (bangban/downloads.py).

# The error pages in Chinese (bangban/errors.py; templates bangban/templates/4xx.html, 500.html).
handler400 = "bangban.errors.bad_request"
handler403 = "bangban.errors.permission_denied"
handler404 = "bangban.errors.page_not_found"
handler500 = "bangban.errors.server_error"
