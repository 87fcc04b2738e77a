from django.urls import path

from rainforest.exchange.views import calls, officer, projects, public, publisher, review, supply

app_name = "exchange"
urlpatterns = [
    path("", public.scenario_list_view, name="scenarios"),
    path("scenarios/new/", publisher.scenario_edit_view, name="scenario_new"),
    path("scenarios/<int:pk>/", public.scenario_view, name="scenario"),
    path("scenarios/<int:pk>/edit/", publisher.scenario_edit_view, name="scenario_edit"),
    path("scenarios/<int:pk>/move/", publisher.scenario_move_view, name="scenario_move"),
    path("scenarios/<int:pk>/call/", publisher.call_new_view, name="call_new"),
    path("mine/", publisher.my_scenarios_view, name="my_scenarios"),
    path("lists/", public.lists_view, name="lists"),
    path("lists/<int:pk>/", public.list_view, name="list"),
    path("capabilities/", public.capability_list_view, name="capabilities"),
    path("capabilities/mine/", supply.my_capabilities_view, name="my_capabilities"),
    path("capabilities/<int:pk>/move/", supply.capability_move_view, name="capability_move"),
    path("capabilities/<int:pk>/review/", officer.capability_review_view, name="capability_review"),
    path("queue/", officer.queue_view, name="queue"),
    path("calls/<int:pk>/", calls.call_view, name="call"),
    path("calls/<int:pk>/apply/", calls.apply_view, name="apply"),
    path("calls/<int:pk>/manage/", officer.call_manage_view, name="call_manage"),
    path("calls/<int:pk>/pick/", publisher.call_pick_view, name="call_pick"),
    path("calls/<int:pk>/objection/", calls.objection_view, name="objection"),
    path("applications/<int:pk>/receipt/", calls.receipt_view, name="receipt"),
    path("attachments/<int:pk>/", calls.attachment_view, name="attachment"),
    path("reviews/", review.assignments_view, name="assignments"),
    path("reviews/<int:pk>/", review.assignment_view, name="assignment"),
    path("reviews/<int:pk>/<int:application_id>/", review.score_view, name="score"),
    path("projects/", projects.project_list_view, name="projects"),
    path("projects/<int:pk>/", projects.project_view, name="project"),
    path("subscription/", supply.subscription_view, name="subscription"),
    path("notifications/read/", supply.notifications_read_view, name="notifications_read"),
    path("targets/", public.targets_view, name="targets"),
]
