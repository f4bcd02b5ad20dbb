"""URLs of the staff workbench, mounted at /work/."""

from django.urls import path

from .views import application, case, desk, home, ledger, vault, visits

app_name = "workbench"

urlpatterns = [
    path("", home.home, name="home"),
    path("go/", home.go, name="go"),
    path("desk/", desk.desk, name="desk"),
    path("desk/check-id/", desk.check_id, name="check-id"),
    path("desk/items/", desk.item_choices, name="item-choices"),
    path("desk/consultations/<int:pk>/", desk.consultation_detail, name="consultation"),
    path(
        "desk/consultations/<int:pk>/answer/", desk.consultation_answer, name="consultation-answer"
    ),
    path("desk/consultations/<int:pk>/case/", desk.consultation_open_case, name="open-case"),
    path(
        "desk/consultations/<int:pk>/escalate/",
        desk.consultation_escalate_view,
        name="consultation-escalate",
    ),
    path(
        "desk/consultations/<int:pk>/notice.pdf",
        desk.consultation_notice,
        name="consultation-notice",
    ),
    path("cases/<str:number>/", case.case_page, name="case"),
    path("cases/<str:number>/events/<str:event>/", case.case_event, name="event"),
    path("cases/<str:number>/review/", case.material_review, name="review-all"),
    path("cases/<str:number>/review/<int:material_id>/", case.material_review, name="review"),
    path(
        "cases/<str:number>/materials/<int:material_id>/file/",
        case.material_file,
        name="material-file",
    ),
    path("cases/<str:number>/vault/use/", vault.use, name="vault-use"),
    path("cases/<str:number>/vault/consent/", vault.consent, name="vault-consent"),
    path("cases/<str:number>/vault/licence/", vault.licence, name="vault-licence"),
    path("vault/<int:pk>/file/", vault.kept_file, name="vault-file"),
    path("vault/commitments/<int:pk>/check/", vault.commitment_check, name="commitment-check"),
    path("cases/<str:number>/application/", application.application_page, name="application"),
    path(
        "cases/<str:number>/application/items/<int:item_id>/form/",
        application.department_form,
        name="department-form",
    ),
    path("cases/<str:number>/note/", case.note, name="note"),
    path("cases/<str:number>/reveal/", case.reveal, name="reveal"),
    path("cases/<str:number>/client/correct/", case.correct_client, name="client-correct"),
    path("ledger/", ledger.ledger_page, name="ledger"),
    path("ledger.xlsx", ledger.ledger_export, name="ledger-export"),
    path("log/", ledger.log_page, name="log"),
    path("visits/", visits.visits_page, name="visits"),
    path("visits/phone/appointment/", visits.phone_appointment, name="phone-appointment"),
    path("visits/phone/home-visit/", visits.phone_home_visit, name="phone-home-visit"),
    path(
        "visits/appointments/<str:number>/mark/", visits.appointment_mark, name="appointment-mark"
    ),
    path("visits/home/<str:number>/done/", visits.visit_done, name="visit-done"),
    path("visits/home/", visits.home_visits_manage, name="home-visits-manage"),
    path("visits/home/<str:number>/", visits.home_visit_handle, name="home-visit-handle"),
    path("visits/<str:kind>/<str:number>/case/", visits.link_case, name="visit-case"),
]
