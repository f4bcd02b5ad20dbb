"""The public portal at the site root, with the catalogue pages it includes.

The portal's own pages are named ``portal:…``; the catalogue keeps its ``catalogue:…``.
"""

from django.urls import include, path

from .views import account, apply, ask, booking, feedback, public, remote, track, vault

portal_patterns = [
    path("", public.home, name="home"),
    path("elder/toggle/", public.elder_toggle, name="elder-toggle"),
    # identity (demo: mobile + one-time code; see identity.py for the 统一身份认证 seam)
    path("login/", account.login, name="login"),
    path("login/code/", account.login_code, name="login-code"),
    path("logout/", account.logout, name="logout"),
    path("my/", account.my, name="my"),
    # the client's material vault (issue 18)
    path("my/vault/", vault.vault_page, name="vault"),
    path("my/vault/consent/", vault.vault_consent, name="vault-consent"),
    path("my/vault/<int:pk>/withdraw/", vault.vault_withdraw, name="vault-withdraw"),
    # applying and one's own cases
    path("apply/<str:kind>/<str:code>/", apply.apply, name="apply-start"),
    path("apply/<str:kind>/<str:code>/<str:step>/", apply.apply, name="apply"),
    path("my/cases/<str:number>/", apply.case_page, name="case"),
    path(
        "my/cases/<str:number>/materials/<int:material_id>/",
        apply.material_upload,
        name="upload",
    ),
    path("my/cases/<str:number>/supplement/", apply.supplement, name="supplement"),
    path("my/cases/<str:number>/confirm/<str:form>/", apply.confirm, name="confirm"),
    path("my/cases/<str:number>/delivery/", apply.delivery, name="delivery"),
    # appointments and home visits
    path("appointments/", booking.appointments, name="appointments"),
    path("appointments/slots/<int:slot_id>/", booking.book, name="book"),
    path("appointments/<str:number>/cancel/", booking.cancel, name="cancel"),
    path("appointments/<str:number>/reschedule/", booking.reschedule, name="reschedule"),
    path("home-visit/", booking.home_visit, name="home-visit"),
    # tracking (the QR code on every printed form leads to /track/?number=…)
    path("track/", track.track, name="track"),
    path("track/<str:number>/", track.track_case, name="track-case"),
    path(
        "track/<str:number>/documents/<str:document_number>.pdf",
        track.document_download,
        name="track-document",
    ),
    # asking a question online (在线咨询) and reading the answer by its personal link
    path("ask/", ask.ask, name="ask"),
    path("ask/<str:token>/", ask.question, name="ask-question"),
    # remote help (视频求助): ask, the call page, call back, the live session
    path("remote/ask/", remote.ask, name="remote-ask"),
    path("remote/calls/<int:pk>/", remote.call, name="remote-call"),
    path("remote/calls/<int:pk>/call-back/", remote.call_back, name="remote-call-back"),
    path("remote/calls/<int:pk>/cancel/", remote.cancel, name="remote-cancel"),
    path("remote/calls/<int:pk>/session/", remote.session, name="remote-session"),
    # evaluation (好差评) and complaints
    path("track/<str:number>/evaluate/", feedback.evaluate, name="evaluate"),
    path("e/<str:token>/", feedback.evaluate_link, name="evaluate-link"),
    path("complaints/new/", feedback.complaint_new, name="complaint-new"),
    path("complaints/track/", feedback.complaint_track, name="complaint-track"),
    path("complaints/<str:number>/", feedback.complaint_page, name="complaint"),
]

urlpatterns = [
    path("", include((portal_patterns, "portal"))),
    path("", include("bangban.catalogue.urls")),
]
