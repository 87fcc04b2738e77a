from rainforest.exchange.models.calls import Application, Call, RubricCriterion
from rainforest.exchange.models.lists import PublishedList
from rainforest.exchange.models.projects import Milestone, Project, ProjectEvent
from rainforest.exchange.models.reviews import Award, ExpertAssignment, Objection, PublicNotice, Review
from rainforest.exchange.models.scenarios import Attachment, Capability, Scenario
from rainforest.exchange.models.subscriptions import Notification, Subscription

__all__ = [
    "Application",
    "Attachment",
    "Award",
    "Call",
    "Capability",
    "ExpertAssignment",
    "Milestone",
    "Notification",
    "Objection",
    "Project",
    "ProjectEvent",
    "PublicNotice",
    "PublishedList",
    "Review",
    "RubricCriterion",
    "Scenario",
    "Subscription",
]
