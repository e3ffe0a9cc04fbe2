from kuulas.clock import utcnow
from kuulas.scheduler import job

from . import publication


@job("outcomes.publish_due", seconds=60)
def publish_due(now=None):
    return {"published": publication.publish_due(now or utcnow())}
