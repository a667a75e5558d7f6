"""What the sales tests share besides fixtures: deals opened through the service, a
pipeline's stage by name, a deal's recorded moves, one form field's markup."""

from sputnik.sales import services
from sputnik.sales.models import StageChange

HTMX = {"HTTP_HX_REQUEST": "true"}


def new_deal(pipeline, organization, line, name, *, actor=None, **values):
    """A deal opened through the service (in the pipeline's first stage unless given)."""
    return services.deal_create(
        actor=actor,
        pipeline=pipeline,
        organization=organization,
        business_line=line,
        name=name,
        **values,
    )


def stage(pipeline, name):
    return pipeline.stages.get(name=name)


def moves_of(deal) -> list[tuple]:
    """The deal's stage changes, oldest first, as (from stage name or None, to stage name, by)."""
    return [
        (change.from_stage and change.from_stage.name, change.to_stage.name, change.by)
        for change in StageChange.objects.filter(deal=deal).select_related(
            "from_stage", "to_stage", "by"
        )
    ]


def field_block(html: str, name: str) -> str:
    """The markup of one form field: from its widget to the next field's label."""
    start = html.index(f'id="id_{name}')
    end = html.find('<label class="form-label"', start)
    return html[start : end if end > 0 else len(html)]
